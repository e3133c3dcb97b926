package dev.vcap.host.sim;

import static dev.vcap.host.PciRegs.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.testing.Devices;
import dev.vcap.host.vfio.PasidExposure;
import dev.vcap.host.vfio.PasidOption;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The three kernel-side PASID options of the seed thread, next to Linux 6.15's hiding, on the same
 * devices: where each puts the capability, or why it does not.
 */
class PasidOptionsTest {

    private static final PasidOption HIDDEN = PasidOption.hidden();
    private static final PasidOption PHYSICAL = PasidOption.physicalOffset();
    private static final PasidOption DVSEC = new PasidOption.DvsecOffset(0x1E98, 0x0042);

    /** A device to open: a host and the function's address. */
    record Target(String name, Supplier<SimHost> host, Supplier<PciAddress> address) {
        @Override
        public String toString() {
            return name;
        }

        SimVfioDevice open(PasidOption option) {
            return host.get().openDevice(address.get(), option);
        }
    }

    private static Target built(String name, Supplier<ConfigSpace> cs) {
        return new Target(name, () -> SimHost.builder().function(Devices.PF, cs.get()).build(), () -> Devices.PF);
    }

    private static Target builtVf(String name, Supplier<ConfigSpace> pf) {
        SimHost[] host = new SimHost[1];
        return new Target(name, () -> {
            host[0] = SimHost.builder().function(Devices.PF, pf.get()).build();
            return host[0];
        }, () -> host[0].enableVfs(Devices.PF, 1).getFirst());
    }

    private static Target corpus(String name, Supplier<DeviceImage> image, boolean vf) {
        SimHost[] host = new SimHost[1];
        return new Target(name, () -> {
            host[0] = SimHost.builder().function(image.get()).build();
            return host[0];
        }, () -> vf ? host[0].enableVfs(image.get().address(), 1).getFirst() : image.get().address());
    }

    /** {@link VfioConfigViewTest#mixed()} with the DVSEC's offset register naming {@code offset}. */
    private static ConfigSpace mixedWithDvsecOffset(int offset) {
        ConfigSpace cs = VfioConfigViewTest.mixed();
        cs.setU16(0x200 + PasidOption.DvsecOffset.OFFSET_REGISTER, offset);
        return cs;
    }

    static Stream<Arguments> decisions() {
        Target mixed = built("built PF, PASID at 0x170", VfioConfigViewTest::mixed);
        Target vf = builtVf("built VF", Devices::sriovPf);
        Target plain = built("built PF without PASID", Devices::plainEndpoint);
        return Stream.of(
                Arguments.of(mixed, HIDDEN, -1, "hides PASID"),
                Arguments.of(mixed, PHYSICAL, 0x170, "physical PASID offset"),
                Arguments.of(built("built PF, DVSEC names 0xff8", () -> mixedWithDvsecOffset(0xFF8)), DVSEC, 0xFF8,
                        "DVSEC 1e98:0042 at 0x200"),
                Arguments.of(built("built PF, DVSEC names 0x160", () -> mixedWithDvsecOffset(0x160)), DVSEC, -1,
                        "collides with Address Translation Service (ATS) (at 0x160)"),
                Arguments.of(built("built PF, DVSEC names 0x102", () -> mixedWithDvsecOffset(0x102)), DVSEC, -1,
                        "not a dword-aligned offset"),
                Arguments.of(mixed, new PasidOption.DvsecOffset(0x1E98, 0x0001), -1, "no DVSEC 1e98:0001"),
                Arguments.of(mixed, PasidOption.LookupTable.of(0x8086, 0x0b25, 0x400), 0x400, "look-up table entry"),
                Arguments.of(mixed, PasidOption.LookupTable.of(0x8086, 0x0b25, 0x180), -1, "collides with Page Request"),
                Arguments.of(mixed, PasidOption.LookupTable.of(0x8086, 0x9999, 0x400), -1, "no entry for 8086:0b25"),
                Arguments.of(plain, PHYSICAL, -1, "max_pasids is 0"),
                Arguments.of(vf, HIDDEN, -1, "hides PASID"),
                Arguments.of(vf, PHYSICAL, 0x100, "the PF's PASID offset"),
                Arguments.of(vf, PasidOption.LookupTable.of(0x8086, 0x1235, 0xFF8), 0xFF8, "entry for 8086:1235"),
                Arguments.of(vf, DVSEC, -1, "no DVSEC"),
                Arguments.of(corpus("DSA 8086:0b25", Devices::dsa, false), PHYSICAL, 0x230, "physical"),
                Arguments.of(corpus("DSA 8086:0b25", Devices::dsa, false), new PasidOption.DvsecOffset(0x8086, 0x0005),
                        -1, "DVSEC 8086:0005"),
                Arguments.of(corpus("DSA 8086:0b25", Devices::dsa, false),
                        PasidOption.LookupTable.of(0x8086, 0x0b25, 0xFF8), 0xFF8, "look-up"),
                Arguments.of(corpus("iGPU 8086:46a6 PF", Devices::igpu, false), PHYSICAL, 0x100, "physical"),
                Arguments.of(corpus("iGPU 8086:46a6 VF", Devices::igpu, true), PHYSICAL, 0x100, "the PF's"),
                Arguments.of(corpus("iGPU 8086:46a6 VF", Devices::igpu, true),
                        PasidOption.LookupTable.of(0x8086, 0x46a6, 0x208), 0x208, "look-up"));
    }

    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @MethodSource("decisions")
    void decision(Target target, PasidOption option, int offset, String reason) {
        SimVfioDevice d = target.open(option);
        PasidExposure e = d.config().pasidExposure();
        assertThat(e.offset()).as(e.reason()).isEqualTo(offset);
        assertThat(e.reason()).contains(reason);
        CapabilityChain chain = CapabilityChain.walk(VfioConfigViewTest.bytes(d.config()));
        if (offset < 0) {
            assertThat(chain.has(ExtendedCapability.PASID)).isFalse();
            return;
        }
        Capability pasid = chain.find(ExtendedCapability.PASID).orElseThrow();
        assertThat(pasid.offset()).isEqualTo(offset);
        assertThat(chain.findings()).as("the list stays well formed").noneMatch(f -> f.kind().name().contains("LOOP")
                || f.kind().name().contains("OVERLAP"));
        int width = Integer.numberOfTrailingZeros(d.iommuDevice().maxPasids());
        int cap = d.config().read(offset + PASID_CAP, 2);
        assertThat(cap >>> 8 & 0x1F).as("Max PASID Width from the IOMMU").isEqualTo(width);
        int pfCtrl = d.pciDev().pasidStatus();
        assertThat(cap & (PASID_CAP_EXEC | PASID_CAP_PRIV)).as("features: what the PF enabled")
                .isEqualTo(pfCtrl & (PASID_CTRL_EXEC | PASID_CTRL_PRIV));

        // the guest's Control writes stay in vfio's copy
        SimFunction pf = d.pciDev().physfn().function();
        int hwCtrl = pf.read(pf.pasidCap() + PASID_CTRL, 2);
        d.config().write(offset + PASID_CTRL, 2, 0xFFFF);
        assertThat(d.config().read(offset + PASID_CTRL, 2)).isEqualTo(0x0007);
        assertThat(pf.read(pf.pasidCap() + PASID_CTRL, 2)).isEqualTo(hwCtrl);
        d.config().write(offset, 4, 0);
        assertThat(d.config().read(offset, 2)).as("header read-only").isEqualTo(ExtendedCapability.PASID.id());
    }
}
