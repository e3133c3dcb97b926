package dev.vcap.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.Finding;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * The machine the differential tests run on is the one kernel/vm.sh describes: QEMU's e1000e, nvme
 * and virtio-net (with ATS) behind their own root ports, each in its own IOMMU group, bound to
 * vfio-pci with a vfio device file, their 4 KiB config spaces walking without a warning. A change of
 * the VM that the other tests would silently absorb fails here first.
 */
class GuestMachineTest {

    /** Address → vendor:device and the extended capability IDs QEMU 7.2 gives each endpoint. */
    private static final Map<String, List<Object>> EXPECTED = Map.of(
            "0000:01:00.0", List.of("8086:10d3", List.of(0x0001, 0x0003)),   // e1000e: AER, DSN
            "0000:02:00.0", List.of("1b36:0010", List.of()),                  // nvme
            "0000:03:00.0", List.of("1af4:1041", List.of(0x000F)));          // virtio-net: ATS

    @BeforeAll
    static void kernel() {
        KernelRequirement.assumeKernel();
    }

    @Test
    void theEmulatedEndpointsAreBoundToVfioPci(TestReporter report) {
        List<VfioFunction> fns = VfioFunction.vfioBound();
        assertThat(fns).extracting(f -> f.address().toString()).containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
        for (VfioFunction f : fns) {
            assertThat(f.ids()).as(f.address().toString()).isEqualTo(EXPECTED.get(f.address().toString()).get(0));
            assertThat(f.vfioCdev()).as("%s has a vfio device file", f.address()).isNotNull().exists();
            report.publishEntry(f.address().toString(), f.ids() + " group " + f.group() + " " + f.vfioCdev());
        }
        assertThat(fns).extracting(VfioFunction::group).as("one IOMMU group per function").doesNotHaveDuplicates();
    }

    @Test
    void theirConfigSpacesWalkCleanly(TestReporter report) {
        for (VfioFunction f : VfioFunction.vfioBound()) {
            ConfigSpace cs = f.sysfsConfig();
            assertThat(cs.length()).as("%s config size", f.address()).isEqualTo(ConfigSpace.EXTENDED_SIZE);
            CapabilityChain chain = CapabilityChain.walk(cs);
            // e1000e's standard list points backwards (0xe0 -> 0xa0): legal, an INFO finding
            assertThat(chain.findings()).as("%s findings beyond INFO", f.address())
                    .filteredOn(x -> x.severity() != Finding.Severity.INFO).isEmpty();
            assertThat(chain.extended()).extracting(Capability::id).as("%s extended capabilities", f.address())
                    .containsExactlyElementsOf(castIds(EXPECTED.get(f.address().toString()).get(1)));
            report.publishEntry(f.address().toString(), chain.standard().stream().map(Capability::name).toList()
                    + " " + chain.extended().stream().map(Capability::name).toList());
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> castIds(Object o) {
        return (List<Integer>) o;
    }
}
