package dev.vcap.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.pci.config.ConfigSpace;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The VT-d driver's steps (Linux 6.12 drivers/iommu/intel/iommu.c: intel_iommu_probe_device, then
 * iommu_enable_pci_caps when the default domain is attached) on the DSA-like image (ATS at 0x160
 * with Page Aligned Request, PRI at 0x170, PASID at 0x180 with Exec and Priv), gated by the ECAP bits
 * the kernel looks at. {@link #GUEST_ECAP} is what QEMU 11.1's intel-iommu (scalable mode, svm,
 * device-iotlb) reported to the real guest of guest/harness.sh.
 */
class IntelIommuDriverTest {

    static final long GUEST_ECAP = 0x8d9a20f00f4eL;
    static final String GUEST_DMAR_LINE = "[    0.012000] DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap"
            + " 81d2008c222f0686 ecap 8d9a20f00f4e";

    private static List<String> run(long ecap, Fixture f) {
        return new IntelIommuDriver(ecap).probeAndAttach(f.dev()).stream().map(IntelIommuDriver.Step::toString)
                .toList();
    }

    private static String writes(Fixture f) {
        return f.port().writes().toString();
    }

    @Test
    void theGuestsEcapHasEveryBitTheStepsLookAt() {
        for (long bit : new long[] {IntelIommuDriver.ECAP_DT, IntelIommuDriver.ECAP_PRS, IntelIommuDriver.ECAP_PASID,
            IntelIommuDriver.ECAP_SMTS}) {
            assertThat(GUEST_ECAP & bit).isNotZero();
        }
    }

    @Test
    void atsIsPreparedThenPasidEnabledWithEveryFeatureThenAtsEnabled() {
        Fixture f = Fixture.of(Images.dsaLike());
        assertThat(run(GUEST_ECAP, f)).containsExactly("pci_prepare_ats(ps 12) = 0",
                "pci_enable_pasid(features 0x6) = 0", "pci_enable_ats(ps 12) = 0");
        assertThat(writes(f)).as("STU first, Enable clear; PASID Enable|Exec|Priv; then ATS Enable")
                .isEqualTo("[w16 0x166 = 0x0, w16 0x186 = 0x7, w16 0x166 = 0x8000]");
        assertThat(f.dev().priEnabled()).as("PRI waits for a driver asking for I/O page faults").isFalse();
    }

    @Test
    void withoutScalableModeOrPasidSupportNoPasidIsEnabled() {
        for (long missing : new long[] {IntelIommuDriver.ECAP_SMTS, IntelIommuDriver.ECAP_PASID}) {
            Fixture f = Fixture.of(Images.dsaLike());
            assertThat(run(GUEST_ECAP & ~missing, f)).containsExactly("pci_prepare_ats(ps 12) = 0",
                    "pci_enable_ats(ps 12) = 0");
            assertThat(f.dev().pasidEnabled()).isFalse();
        }
    }

    @Test
    void withoutDeviceTlbSupportAtsIsPreparedButNeverEnabled() {
        Fixture f = Fixture.of(Images.dsaLike());
        assertThat(run(GUEST_ECAP & ~IntelIommuDriver.ECAP_DT, f)).containsExactly("pci_prepare_ats(ps 12) = 0",
                "pci_enable_pasid(features 0x6) = 0");
        assertThat(writes(f)).isEqualTo("[w16 0x166 = 0x0, w16 0x186 = 0x7]");
    }

    @Test
    void atsWithoutPageAlignedRequestsIsPreparedOnly() {
        ConfigSpace cs = Images.dsaLike();
        cs.setU16(0x164, 0);
        Fixture f = Fixture.of(cs);
        assertThat(run(GUEST_ECAP, f)).containsExactly("pci_prepare_ats(ps 12) = 0",
                "pci_enable_pasid(features 0x6) = 0");
        assertThat(f.dev().atsEnabled()).isFalse();
    }

    @Test
    void aPasidTheKernelCannotUseIsLeftAloneAndAtsGoesOn() {
        Fixture f = Fixture.of(Images.dsaLike(), GuestTopology.behindRootPort().withBridgeEetlpPrefix(false));
        assertThat(run(GUEST_ECAP, f)).containsExactly("pci_prepare_ats(ps 12) = 0",
                "pci_enable_pasid(features 0x6) = -22", "pci_enable_ats(ps 12) = 0");
        assertThat(writes(f)).isEqualTo("[w16 0x166 = 0x0, w16 0x166 = 0x8000]");
    }

    @Test
    void fromDmesgReadsTheEcapTheGuestPrinted() {
        String dmesg = "[    0.000000] DMAR: IOMMU enabled\n" + GUEST_DMAR_LINE + "\n[    0.012000] DMAR: ATSR flags: 0x1\n";
        assertThat(IntelIommuDriver.fromDmesg(dmesg).ecap()).isEqualTo(GUEST_ECAP);
        assertThatThrownBy(() -> IntelIommuDriver.fromDmesg("[    0.000000] DMAR: IOMMU enabled\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no 'DMAR: dmar0: ... ecap HEX' line");
    }
}
