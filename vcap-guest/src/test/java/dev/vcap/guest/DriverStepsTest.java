package dev.vcap.guest;

import static dev.vcap.guest.GuestPciDev.PASID_EXEC;
import static dev.vcap.guest.GuestPciDev.PASID_PRIV;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.Header;
import org.junit.jupiter.api.Test;

/**
 * One test per error rule of drivers/pci/ats.c, named after the rule, and the writes each
 * successful step makes. The DSA-like image: ATS at 0x160, PRI at 0x170 (Stopped, capacity 512),
 * PASID at 0x180 (Exec, Priv, width 20).
 */
class DriverStepsTest {

    private static final int ATS_CTRL = 0x166;
    private static final int PRI_CTRL = 0x174;
    private static final int PRI_STATUS = 0x176;
    private static final int PRI_ALLOC = 0x17C;
    private static final int PASID_CTRL = 0x186;

    private static Fixture dsa() {
        return Fixture.of(Images.dsaLike());
    }

    private static Fixture withoutExtended(ExtendedCapability kind) {
        ConfigSpace cs = Images.dsaLike();
        int at = switch (kind) {
            case ATS -> 0x160;
            case PRI -> 0x170;
            case PASID -> 0x180;
            default -> throw new IllegalArgumentException();
        };
        // turn the capability into a vendor-specific one: same chain, other ID
        cs.setU16(at, ExtendedCapability.VENDOR.id());
        return Fixture.of(cs);
    }

    private static String writes(Fixture f) {
        return f.port().writes().toString();
    }

    // ------------------------------------------------------------------ PASID

    @Test
    void enablePasidEbusyWhenAlreadyEnabled() {
        Fixture f = dsa();
        assertThat(f.dev().enablePasid(0)).isEqualTo(Errno.OK);
        f.port().clear();
        assertThat(f.dev().enablePasid(0)).isEqualTo(Errno.EBUSY);
        assertThat(f.port().writes()).isEmpty();
        assertThat(f.dev().warnings()).containsExactly("WARN_ON(pdev->pasid_enabled) in pci_enable_pasid");
    }

    @Test
    void enablePasidEinvalWithoutEndToEndTlpPrefixPath() {
        Fixture f = Fixture.of(Images.dsaLike(), GuestTopology.behindRootPort().withBridgeEetlpPrefix(false));
        assertThat(f.dev().enablePasid(0)).isEqualTo(Errno.EINVAL);
        assertThat(f.port().accesses()).isEmpty();
        assertThat(f.dev().pasidEnabled()).isFalse();
    }

    @Test
    void enablePasidSucceedsWithoutPrefixesUnderThePasidNoTlpQuirk() {
        GuestTopology quirk = GuestTopology.behindRootPort().withBridgeEetlpPrefix(false).withPasidNoTlp(true);
        Fixture f = Fixture.of(Images.dsaLike(), quirk);
        assertThat(f.dev().eetlpPrefixMax()).isZero();
        assertThat(f.dev().enablePasid(PASID_EXEC)).isEqualTo(Errno.OK);
    }

    @Test
    void enablePasidEinvalWithoutPasidCapability() {
        Fixture f = withoutExtended(ExtendedCapability.PASID);
        assertThat(f.dev().pasidCap()).isZero();
        assertThat(f.dev().enablePasid(0)).isEqualTo(Errno.EINVAL);
        assertThat(f.port().writes()).isEmpty();
    }

    @Test
    void enablePasidEinvalWhenAcsRedirectIsNotEnabledOnThePath() {
        Fixture f = Fixture.of(Images.dsaLike(), GuestTopology.behindRootPort().withPathAcsEnabled(false));
        assertThat(f.dev().acsPathEnabled()).isFalse();
        assertThat(f.dev().enablePasid(0)).isEqualTo(Errno.EINVAL);
        assertThat(f.port().writes()).isEmpty();
    }

    @Test
    void enablePasidEinvalWhenAMultifunctionEndpointHasNoAcsRedirect() {
        ConfigSpace cs = Images.dsaLike();
        cs.setU8(Header.HEADER_TYPE, 0x80);
        cs.setU16(0x150, ExtendedCapability.VENDOR.id()); // no ACS capability
        Fixture f = Fixture.of(cs);
        assertThat(f.dev().multifunction()).isTrue();
        assertThat(f.dev().enablePasid(0)).isEqualTo(Errno.EINVAL);
        // with ACS, probe enabled Request Redirect and Upstream Forwarding: isolated again
        ConfigSpace withAcs = Images.dsaLike();
        withAcs.setU8(Header.HEADER_TYPE, 0x80);
        assertThat(Fixture.of(withAcs).dev().enablePasid(0)).isEqualTo(Errno.OK);
        // ACS controls the device lacks count as hard-wired on
        withAcs.setU16(0x154, 0);
        withAcs.setU16(0x156, 0);
        assertThat(Fixture.of(withAcs, GuestTopology.behindRootPort().withIommuPresent(false)).dev().acsPathEnabled()).isTrue();
    }

    @Test
    void enablePasidEinvalForUnsupportedFeatures() {
        ConfigSpace cs = Images.dsaLike();
        cs.setU16(0x184, 0x1402); // Exec only
        Fixture f = Fixture.of(cs);
        assertThat(f.dev().enablePasid(PASID_PRIV)).isEqualTo(Errno.EINVAL);
        assertThat(f.dev().enablePasid(PASID_EXEC | PASID_PRIV)).isEqualTo(Errno.EINVAL);
        assertThat(f.dev().enablePasid(0x1)).isEqualTo(Errno.EINVAL); // Enable is not a feature
        assertThat(f.dev().enablePasid(0x8)).isEqualTo(Errno.EINVAL);
        assertThat(f.port().writes()).isEmpty();
        assertThat(f.dev().enablePasid(PASID_EXEC)).isEqualTo(Errno.OK);
    }

    @Test
    void enablePasidWritesEnableAndFeaturesOnce() {
        Fixture f = dsa();
        assertThat(f.dev().enablePasid(PASID_EXEC | PASID_PRIV)).isEqualTo(Errno.OK);
        assertThat(writes(f)).isEqualTo("[w16 0x186 = 0x7]");
        assertThat(f.dev().pasidEnabled()).isTrue();
        assertThat(f.dev().enabledPasidFeatures()).isEqualTo(6);
        assertThat(f.dev().pasidStatus()).isEqualTo(7);
    }

    @Test
    void disablePasidWritesZero() {
        Fixture f = dsa();
        f.dev().enablePasid(PASID_EXEC);
        f.port().clear();
        f.dev().disablePasid();
        assertThat(writes(f)).isEqualTo("[w16 0x186 = 0x0]");
        assertThat(f.dev().pasidEnabled()).isFalse();
        assertThat(f.dev().warnings()).isEmpty();
    }

    @Test
    void disablePasidWarnsAndDoesNothingWhenNotEnabled() {
        Fixture f = dsa();
        f.cs().setU16(PASID_CTRL, 1); // enabled behind the kernel's back
        f.dev().disablePasid();
        assertThat(f.port().accesses()).isEmpty();
        assertThat(f.dev().warnings()).containsExactly("WARN_ON(!pdev->pasid_enabled) in pci_disable_pasid");
    }

    @Test
    void pasidQueriesEinvalWithoutPasidCapability() {
        Fixture f = withoutExtended(ExtendedCapability.PASID);
        assertThat(f.dev().pasidFeatures()).isEqualTo(-22);
        assertThat(f.dev().maxPasids()).isEqualTo(-22);
        assertThat(f.dev().pasidStatus()).isEqualTo(-22);
        assertThat(f.port().accesses()).isEmpty();
    }

    @Test
    void pasidQueriesReadTheCapabilityRegister() {
        Fixture f = dsa();
        assertThat(f.dev().pasidFeatures()).isEqualTo(PASID_EXEC | PASID_PRIV);
        assertThat(f.dev().maxPasids()).isEqualTo(1 << 20);
        assertThat(f.dev().pasidStatus()).isZero();
        f.cs().setU16(0x184, 0x0000);
        assertThat(f.dev().pasidFeatures()).isZero();
        assertThat(f.dev().maxPasids()).isEqualTo(1);
        // the 5-bit width field allows 31, which the kernel's int shift turns negative
        f.cs().setU16(0x184, 0x1F00);
        assertThat(f.dev().maxPasids()).isEqualTo(Integer.MIN_VALUE);
    }

    // ------------------------------------------------------------------ ATS

    @Test
    void enableAtsEinvalWithoutAtsCapability() {
        Fixture f = withoutExtended(ExtendedCapability.ATS);
        assertThat(f.dev().enableAts(12)).isEqualTo(Errno.EINVAL);
        assertThat(f.dev().atsSupported()).isFalse();
        assertThat(f.port().accesses()).isEmpty();
    }

    @Test
    void enableAtsEinvalForAnUntrustedFunction() {
        Fixture f = Fixture.of(Images.dsaLike(), GuestTopology.behindRootPort().withUntrusted(true));
        assertThat(f.dev().atsCap()).isEqualTo(0x160);
        assertThat(f.dev().untrusted()).isTrue();
        assertThat(f.dev().enableAts(12)).isEqualTo(Errno.EINVAL);
        assertThat(f.port().writes()).isEmpty();
    }

    @Test
    void enableAtsEbusyWhenAlreadyEnabled() {
        Fixture f = dsa();
        assertThat(f.dev().enableAts(12)).isEqualTo(Errno.OK);
        f.port().clear();
        assertThat(f.dev().enableAts(12)).isEqualTo(Errno.EBUSY);
        assertThat(f.port().writes()).isEmpty();
        assertThat(f.dev().warnings()).containsExactly("WARN_ON(dev->ats_enabled) in pci_enable_ats");
    }

    @Test
    void enableAtsEinvalForStuBelow4k() {
        Fixture f = dsa();
        assertThat(f.dev().enableAts(11)).isEqualTo(Errno.EINVAL);
        assertThat(f.dev().enableAts(-1)).isEqualTo(Errno.EINVAL);
        assertThat(f.port().writes()).isEmpty();
        assertThat(f.dev().atsEnabled()).isFalse();
        assertThat(f.dev().atsStu()).isZero();
    }

    @Test
    void enableAtsWritesEnableAndStuOnce() {
        Fixture f = dsa();
        assertThat(f.dev().enableAts(12)).isEqualTo(Errno.OK);
        assertThat(writes(f)).isEqualTo("[w16 0x166 = 0x8000]");
        assertThat(f.dev().atsEnabled()).isTrue();
        assertThat(f.dev().atsStu()).isEqualTo(12);
        Fixture huge = dsa();
        assertThat(huge.dev().enableAts(21)).isEqualTo(Errno.OK); // 2 MiB
        assertThat(writes(huge)).isEqualTo("[w16 0x166 = 0x8009]");
    }

    @Test
    void enableAtsHasNoUpperStuBoundAndMasksTheFieldLikeTheKernel() {
        Fixture f = dsa();
        assertThat(f.dev().enableAts(12 + 32)).isEqualTo(Errno.OK);
        assertThat(writes(f)).isEqualTo("[w16 0x166 = 0x8000]");
        assertThat(f.dev().atsStu()).isEqualTo(44);
    }

    @Test
    void prepareAtsWritesTheStuWithoutEnableAndKeepsTheEnableRules() {
        Fixture f = dsa();
        assertThat(f.dev().prepareAts(11)).isEqualTo(Errno.EINVAL);
        assertThat(f.dev().prepareAts(16)).isEqualTo(Errno.OK);
        assertThat(writes(f)).isEqualTo("[w16 0x166 = 0x4]");
        assertThat(f.dev().atsEnabled()).isFalse();
        assertThat(f.dev().atsStu()).isEqualTo(16);
        f.dev().enableAts(16);
        assertThat(f.dev().prepareAts(16)).isEqualTo(Errno.EBUSY);
        assertThat(withoutExtended(ExtendedCapability.ATS).dev().prepareAts(12)).isEqualTo(Errno.EINVAL);
    }

    @Test
    void disableAtsClearsOnlyEnable() {
        Fixture f = dsa();
        f.dev().enableAts(21);
        f.port().clear();
        f.dev().disableAts();
        assertThat(f.port().accesses()).extracting(Object::toString).containsExactly("r16 0x166 = 0x8009",
                "w16 0x166 = 0x9");
        assertThat(f.dev().atsEnabled()).isFalse();
    }

    @Test
    void disableAtsWarnsAndDoesNothingWhenNotEnabled() {
        Fixture f = dsa();
        f.dev().disableAts();
        assertThat(f.port().accesses()).isEmpty();
        assertThat(f.dev().warnings()).containsExactly("WARN_ON(!dev->ats_enabled) in pci_disable_ats");
    }

    @Test
    void atsQueueDepthEinvalWithoutAtsCapability() {
        assertThat(withoutExtended(ExtendedCapability.ATS).dev().atsQueueDepth()).isEqualTo(-22);
        assertThat(withoutExtended(ExtendedCapability.ATS).dev().atsPageAligned()).isZero();
    }

    @Test
    void atsQueueDepthZeroMeans32AndPageAlignedIsBit5() {
        Fixture f = dsa();
        assertThat(f.dev().atsQueueDepth()).isEqualTo(32);
        assertThat(f.dev().atsPageAligned()).isEqualTo(1);
        f.cs().setU16(0x164, 0x0008);
        assertThat(f.dev().atsQueueDepth()).isEqualTo(8);
        assertThat(f.dev().atsPageAligned()).isZero();
    }

    // ------------------------------------------------------------------ PRI

    @Test
    void enablePriEbusyWhenAlreadyEnabled() {
        Fixture f = dsa();
        assertThat(f.dev().enablePri(32)).isEqualTo(Errno.OK);
        f.port().clear();
        assertThat(f.dev().enablePri(32)).isEqualTo(Errno.EBUSY);
        assertThat(f.port().accesses()).isEmpty();
        assertThat(f.dev().warnings()).containsExactly("WARN_ON(pdev->pri_enabled) in pci_enable_pri");
    }

    @Test
    void enablePriEinvalWithoutPriCapability() {
        Fixture f = withoutExtended(ExtendedCapability.PRI);
        assertThat(f.dev().priSupported()).isFalse();
        assertThat(f.dev().enablePri(32)).isEqualTo(Errno.EINVAL);
        assertThat(f.port().accesses()).isEmpty();
    }

    @Test
    void enablePriEbusyWhenNotStopped() {
        Fixture f = dsa();
        f.cs().setU16(PRI_STATUS, 0x0000);
        assertThat(f.dev().enablePri(32)).isEqualTo(Errno.EBUSY);
        assertThat(f.port().writes()).isEmpty();
        assertThat(f.dev().priEnabled()).isFalse();
        assertThat(f.dev().warnings()).isEmpty();
    }

    @Test
    void enablePriWritesTheAllocationThenEnable() {
        Fixture f = dsa();
        assertThat(f.dev().enablePri(32)).isEqualTo(Errno.OK);
        assertThat(writes(f)).isEqualTo("[w32 0x17c = 0x20, w16 0x174 = 0x1]");
        assertThat(f.dev().priEnabled()).isTrue();
        assertThat(f.dev().priReqsAlloc()).isEqualTo(32);
    }

    @Test
    void enablePriClampsTheAllocationToTheCapacityUnsigned() {
        Fixture f = dsa();
        assertThat(f.dev().enablePri(-1)).isEqualTo(Errno.OK); // 0xffffffff requests
        assertThat(f.cs().u32(PRI_ALLOC)).isEqualTo(512);
        assertThat(f.dev().priReqsAlloc()).isEqualTo(512);
        f.cs().setU32(0x178, 0x8000_0000);
        Fixture big = Fixture.of(f.cs().copy());
        big.cs().setU16(PRI_STATUS, 0x0100);
        assertThat(big.dev().enablePri(0x7FFF_FFFF)).isEqualTo(Errno.OK);
        assertThat(big.dev().priReqsAlloc()).isEqualTo(0x7FFF_FFFF);
    }

    @Test
    void disablePriClearsOnlyEnable() {
        Fixture f = dsa();
        f.dev().enablePri(16);
        f.cs().setU16(PRI_CTRL, 0x0001);
        f.port().clear();
        f.dev().disablePri();
        assertThat(f.port().accesses()).extracting(Object::toString).containsExactly("r16 0x174 = 0x1", "w16 0x174 = 0x0");
        assertThat(f.dev().priEnabled()).isFalse();
    }

    @Test
    void disablePriWarnsAndDoesNothingWhenNotEnabled() {
        Fixture f = dsa();
        f.dev().disablePri();
        assertThat(f.port().accesses()).isEmpty();
        assertThat(f.dev().warnings()).containsExactly("WARN_ON(!pdev->pri_enabled) in pci_disable_pri");
    }

    @Test
    void resetPriEbusyWhenEnabled() {
        Fixture f = dsa();
        f.dev().enablePri(16);
        f.port().clear();
        assertThat(f.dev().resetPri()).isEqualTo(Errno.EBUSY);
        assertThat(f.port().accesses()).isEmpty();
        assertThat(f.dev().warnings()).containsExactly("WARN_ON(pdev->pri_enabled) in pci_reset_pri");
    }

    @Test
    void resetPriEinvalWithoutPriCapability() {
        Fixture f = withoutExtended(ExtendedCapability.PRI);
        assertThat(f.dev().resetPri()).isEqualTo(Errno.EINVAL);
        assertThat(f.port().accesses()).isEmpty();
    }

    @Test
    void resetPriWritesResetAlone() {
        Fixture f = dsa();
        f.cs().setU16(PRI_CTRL, 0x0000);
        assertThat(f.dev().resetPri()).isEqualTo(Errno.OK);
        assertThat(writes(f)).isEqualTo("[w16 0x174 = 0x2]");
    }

    @Test
    void prgResponsePasidRequiredIsProbesAnswer() {
        Fixture f = dsa();
        assertThat(f.dev().prgResponsePasidRequired()).isZero();
        f.cs().setU16(PRI_STATUS, 0x8100); // too late: probe has read it
        assertThat(f.dev().prgResponsePasidRequired()).isZero();
        assertThat(f.port().accesses()).isEmpty();
    }

    // ------------------------------------------------------------------ sequences and restore

    @Test
    void theIommuDriversOrderPasidThenPriThenAtsSucceeds() {
        Fixture f = dsa();
        assertThat(f.dev().enablePasid(PASID_EXEC | PASID_PRIV)).isEqualTo(Errno.OK);
        assertThat(f.dev().resetPri()).isEqualTo(Errno.OK);
        assertThat(f.dev().enablePri(32)).isEqualTo(Errno.OK);
        assertThat(f.dev().enableAts(12)).isEqualTo(Errno.OK);
        assertThat(writes(f)).isEqualTo(
                "[w16 0x186 = 0x7, w16 0x174 = 0x2, w32 0x17c = 0x20, w16 0x174 = 0x1, w16 0x166 = 0x8000]");
        assertThat(f.dev().warnings()).isEmpty();
    }

    @Test
    void atsBeforePasidIsNotRefusedBecauseAtsCHasNoOrderingRule() {
        Fixture f = dsa();
        assertThat(f.dev().enableAts(12)).isEqualTo(Errno.OK);
        assertThat(f.dev().enablePasid(0)).isEqualTo(Errno.OK);
    }

    @Test
    void restoreRewritesWhatTheKernelRemembers() {
        Fixture f = dsa();
        f.dev().enablePasid(PASID_PRIV);
        f.dev().enablePri(64);
        f.dev().enableAts(13);
        // a reset (or a restore on another host) clears the controls
        f.cs().setU16(PASID_CTRL, 0);
        f.cs().setU16(PRI_CTRL, 0);
        f.cs().setU32(PRI_ALLOC, 0);
        f.cs().setU16(ATS_CTRL, 0);
        f.port().clear();
        f.dev().restorePasidState();
        f.dev().restorePriState();
        f.dev().restoreAtsState();
        assertThat(writes(f)).isEqualTo("[w16 0x186 = 0x5, w32 0x17c = 0x40, w16 0x174 = 0x1, w16 0x166 = 0x8001]");
    }

    @Test
    void resetFunctionEnottyWithoutFlrInDeviceCapabilities() {
        Fixture f = dsa();
        f.port().clear();
        assertThat(f.dev().resetFunction()).isEqualTo(Errno.ENOTTY);
        assertThat(f.port().writes()).isEmpty();
    }

    @Test
    void resetFunctionInitiatesFlrThenRestoresPasidPriAtsInTheKernelsOrder() {
        ConfigSpace cs = Images.dsaLike();
        cs.setU32(0x64, cs.u32(0x64) | 1 << 28); // Device Capabilities: Function Level Reset
        cs.setU16(0x68, 0x2810); // Device Control as firmware left it
        Fixture f = Fixture.of(cs);
        f.dev().enablePasid(PASID_PRIV);
        f.dev().enablePri(64);
        f.dev().enableAts(13);
        f.port().clear();
        assertThat(f.dev().resetFunction()).isEqualTo(Errno.OK);
        assertThat(writes(f)).isEqualTo("[w16 0x068 = 0xa810, w16 0x186 = 0x5, w32 0x17c = 0x40, w16 0x174 = 0x1,"
                + " w16 0x166 = 0x8001]");
    }

    @Test
    void restoreDoesNothingForWhatWasNeverEnabled() {
        Fixture f = dsa();
        f.dev().restorePasidState();
        f.dev().restorePriState();
        f.dev().restoreAtsState();
        assertThat(f.port().accesses()).isEmpty();
    }

    @Test
    void acsOfPortsAndBridgesFollowsTheKernelsTable() {
        ConfigSpace port = ConfigSpaceBuilder.bridge(0x8086, 0x7A38)
                .pcie(0x40, DeviceTraits.PCIE_ROOT_PORT)
                .extended(0x100, ExtendedCapability.ACS, 1, (c, at) -> c.setU16(at + 4, 0x1F))
                .build();
        GuestTopology noIommu = GuestTopology.behindRootPort().withIommuPresent(false);
        assertThat(Fixture.of(port.copy(), noIommu).dev().acsEnabled(GuestPciDev.PCI_ACS_RR)).isFalse();
        assertThat(Fixture.of(port.copy()).dev().acsEnabled(GuestPciDev.PCI_ACS_RR | GuestPciDev.PCI_ACS_UF)).isTrue();
        port.setU16(0x42, DeviceTraits.PCIE_PCIE_TO_PCI_BRIDGE << 4 | 2);
        assertThat(Fixture.of(port.copy()).dev().acsEnabled(GuestPciDev.PCI_ACS_RR)).isFalse();
        // a conventional function is never isolated
        ConfigSpace conventional = ConfigSpaceBuilder.endpoint(0x8086, 0x1).build();
        assertThat(Fixture.of(conventional).dev().acsEnabled(GuestPciDev.PCI_ACS_RR)).isFalse();
    }
}
