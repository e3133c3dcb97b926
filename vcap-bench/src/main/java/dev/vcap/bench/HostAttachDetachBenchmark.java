package dev.vcap.bench;

import dev.vcap.host.HwptAlloc;
import dev.vcap.host.sim.SimHost;
import dev.vcap.host.sim.SimIommufd;
import dev.vcap.host.sim.SimVfioDevice;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.PciAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One thread attaching and detaching through the simulated host's vfio device file (the full path:
 * vfio bookkeeping, iommufd object lookup and rules, IOMMU PASID table). One operation is one
 * attach + detach pair; the target is 2 million pairs per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class HostAttachDetachBenchmark {

    static final PciAddress ADDRESS = PciAddress.parse("0000:03:00.0");

    /** A PCIe endpoint with a 20-bit PASID capability and ATS. */
    static ConfigSpace pasidDevice() {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x0b25)
                .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.ATS, 1)
                .extended(0x108, ExtendedCapability.PASID, 1, (cs, at) -> cs.setU16(at + 4, 20 << 8))
                .build();
    }

    private SimIommufd fd;
    private SimVfioDevice dev;
    private int hwpt;
    private int pasid;

    @Setup(Level.Trial)
    public void setUp() {
        SimHost host = SimHost.builder().function(ADDRESS, pasidDevice()).build();
        fd = host.openIommufd();
        dev = host.openDevice(ADDRESS);
        int devId = dev.bind(fd);
        hwpt = fd.allocHwpt(HwptAlloc.paging(devId, fd.allocIoas(), HwptAlloc.PASID));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dev.close();
        fd.close();
    }

    /** Attach and detach one PASID, walking PASIDs 1..4095 so the table is not one hot entry. */
    @Benchmark
    public int pasidAttachDetach() {
        int p = pasid = (pasid & 0xFFF) + 1;
        int got = dev.attachPasidPt(p, hwpt);
        dev.detachPasidPt(p);
        return got;
    }

    /** Attach and detach the RID. */
    @Benchmark
    public int ridAttachDetach() {
        int got = dev.attachPt(hwpt);
        dev.detachPt();
        return got;
    }
}
