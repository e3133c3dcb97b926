package dev.vcap.bench;

import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Guest config accesses on the hot path: a fully emulated dword read and write (the synthesized
 * PASID capability's Capability/Control dword and MSI's address), and a pass-through dword read
 * served by an in-memory backing (an AER register). Targets: read <= 20 ns, write <= 40 ns,
 * pass-through read <= 30 ns, no allocation (run with {@code -prof gc}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class VirtualConfigSpaceBenchmark {

    private VirtualConfigSpace vcs;
    private int pasid;
    private int value;

    @Setup
    public void setUp() {
        InMemoryConfigRegion backing = new InMemoryConfigRegion(ConfigSpaceBuilder.endpoint(0x8086, 0x0b25)
                .standard(0x40, StandardCapability.PM)
                .standard(0x50, StandardCapability.MSI, (c, at) -> c.setU16(at + 2, 0x0080))
                .pcie(0x70, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2)
                .build());
        vcs = VirtualConfigSpace.over(backing);
        pasid = vcs.editor().insert(0x200, Synthesizers.pasid(new PasidSupport(20, true, true))).offset();
    }

    @Benchmark
    public int emulatedRead() {
        return vcs.read(pasid + 4, 4);
    }

    @Benchmark
    public void emulatedWrite() {
        vcs.write(0x54, 4, value += 4);
    }

    @Benchmark
    public int passThroughRead() {
        return vcs.read(0x108, 4);
    }
}
