package dev.vcap.bench;

import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Walking the chains of a typical PCIe endpoint (5 standard, 6 extended capabilities). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChainWalkBenchmark {

    private final ConfigSpace endpoint = ConfigSpaceBuilder.endpoint(0x8086, 0x0b25)
            .standard(0x40, StandardCapability.PM)
            .standard(0x50, StandardCapability.MSI)
            .pcie(0x70, DeviceTraits.PCIE_ENDPOINT)
            .standard(0xb0, StandardCapability.MSIX)
            .extended(0x100, ExtendedCapability.AER, 2)
            .extended(0x150, ExtendedCapability.ACS, 1)
            .extended(0x160, ExtendedCapability.ATS, 1)
            .extended(0x170, ExtendedCapability.PASID, 1)
            .extended(0x180, ExtendedCapability.PRI, 1)
            .extended(0x200, ExtendedCapability.DVSEC, 1, (cs, at) -> cs.setU32(at + 4, 0x0380_1e98))
            .build();

    @Benchmark
    public CapabilityChain walk() {
        return CapabilityChain.walk(endpoint);
    }
}
