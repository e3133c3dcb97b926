package dev.vcap.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.linux.sysfs.PciFunction;
import dev.vcap.linux.testing.RealKernel;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.Finding;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * The machine the differential tests run on is the one kernel/vm.sh describes: QEMU's e1000e, nvme
 * and virtio-net (with ATS) behind their own root ports, each in its own IOMMU group, bound to
 * vfio-pci with a vfio device file, their 4 KiB config spaces walking without a warning. A change of
 * the VM that the other tests would silently absorb fails here first.
 */
class GuestMachineKernelTest {

    /** Address, vendor:device, and the extended capability IDs QEMU 7.2 gives each endpoint. */
    record Expected(String address, String ids, List<Integer> extended) {
    }

    static final List<Expected> MACHINE = List.of(
            new Expected("0000:01:00.0", "8086:10d3", List.of(0x0001, 0x0003)),   // e1000e: AER, DSN
            new Expected("0000:02:00.0", "1b36:0010", List.of()),                  // nvme
            new Expected("0000:03:00.0", "1af4:1041", List.of(0x000F)));          // virtio-net: ATS

    @Test
    void theEmulatedEndpointsAreBoundToVfioPci(TestReporter report) {
        List<PciFunction> fns = RealKernel.vfioFunctions();
        Map<String, String> ids = MACHINE.stream().collect(java.util.stream.Collectors.toMap(Expected::address,
                Expected::ids));
        assertThat(fns).extracting(f -> f.address().toString()).containsExactlyInAnyOrderElementsOf(ids.keySet());
        for (PciFunction f : fns) {
            assertThat(f.ids()).as(f.address().toString()).isEqualTo(ids.get(f.address().toString()));
            assertThat(f.vfioDevice()).as("%s has a vfio device file", f.address()).isNotNull();
            report.publishEntry(f.address().toString(), f.ids() + " group " + f.iommuGroup() + " " + f.vfioDevice());
        }
        assertThat(fns).extracting(PciFunction::iommuGroup).as("one IOMMU group per function").doesNotHaveDuplicates();
    }

    @Test
    void theirConfigSpacesWalkCleanly(TestReporter report) {
        RealKernel.vfioFunctions();
        for (Expected e : MACHINE) {
            ConfigSpace cs;
            try (SysfsConfig sysfs = SysfsConfig.open(dev.vcap.pci.config.PciAddress.parse(e.address()))) {
                cs = sysfs.snapshot();
            }
            assertThat(cs.length()).as("%s config size", e.address()).isEqualTo(ConfigSpace.EXTENDED_SIZE);
            CapabilityChain chain = CapabilityChain.walk(cs);
            // e1000e's standard list points backwards (0xe0 -> 0xa0): legal, an INFO finding
            assertThat(chain.findings()).as("%s findings beyond INFO", e.address())
                    .filteredOn(x -> x.severity() != Finding.Severity.INFO).isEmpty();
            assertThat(chain.extended()).extracting(Capability::id).as("%s extended capabilities", e.address())
                    .containsExactlyElementsOf(e.extended());
            report.publishEntry(e.address(), chain.standard().stream().map(Capability::name).toList()
                    + " " + chain.extended().stream().map(Capability::name).toList());
        }
    }
}
