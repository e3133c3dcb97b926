package dev.vcap.guest;

import static dev.vcap.guest.Images.ext;
import static dev.vcap.guest.Images.std;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.Header;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeTest {

    private static GuestPciDev probe(ConfigSpace cs) {
        return GuestPciDev.probe(new InMemoryConfigPort(cs));
    }

    @Test
    void probeCachesTheOffsetsLinuxCaches() {
        GuestPciDev dev = probe(Images.dsaLike());
        assertThat(dev.vendor()).isEqualTo(0x8086);
        assertThat(dev.device()).isEqualTo(0x0B25);
        assertThat(dev.classCode()).isEqualTo(0x088000);
        assertThat(dev.cfgSize()).isEqualTo(4096);
        assertThat(dev.isPcie()).isTrue();
        assertThat(dev.pcieType()).isEqualTo(DeviceTraits.PCIE_ENDPOINT);
        assertThat(dev.pcieCap()).isEqualTo(0x60);
        assertThat(dev.pmCap()).isEqualTo(0x40);
        assertThat(dev.msixCap()).isEqualTo(0x50);
        assertThat(dev.msiCap()).isZero();
        assertThat(dev.aerCap()).isEqualTo(0x100);
        assertThat(dev.acsCap()).isEqualTo(0x150);
        assertThat(dev.atsCap()).isEqualTo(0x160);
        assertThat(dev.priCap()).isEqualTo(0x170);
        assertThat(dev.pasidCap()).isEqualTo(0x180);
        assertThat(dev.cachedOffsets()).extracting(Object::toString).containsExactly("pcie_cap=0x60", "msix_cap=0x50",
                "pm_cap=0x40", "ats_cap=0x160", "pri_cap=0x170", "pasid_cap=0x180", "acs_cap=0x150", "aer_cap=0x100");
        assertThat(dev.warnings()).isEmpty();
    }

    /** An image with one capability for every cached field, two DOE mailboxes, and decoys. */
    static ConfigSpace everything() {
        return ConfigSpaceBuilder.endpoint(0x1B36, 0x0010)
                .standard(0x40, StandardCapability.PM, (c, at) -> c.setU16(at + 2, 0x0003))
                .standard(0x48, StandardCapability.VPD)
                .standard(0x50, StandardCapability.MSI)
                .standard(0x60, StandardCapability.MSIX)
                .pcie(0x70, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x148, ExtendedCapability.L1PM, 1)
                .extended(0x160, ExtendedCapability.SRIOV, 1)
                .extended(0x1A0, ExtendedCapability.ATS, 1)
                .extended(0x1B0, ExtendedCapability.PRI, 1)
                .extended(0x1C0, ExtendedCapability.PASID, 1)
                .extended(0x1D0, ExtendedCapability.ACS, 1)
                .extended(0x1E0, ExtendedCapability.PTM, 1)
                .extended(0x200, ExtendedCapability.DPC, 1)
                .extended(0x260, ExtendedCapability.DOE, 1)
                .extended(0x280, ExtendedCapability.TPH, 1)
                .extended(0x2A0, ExtendedCapability.DOE, 1)
                .extended(0x2C0, ExtendedCapability.RESIZABLE_BAR, 1)
                .extended(0x300, ExtendedCapability.NPEM, 1, (c, at) -> c.setU32(at + 4, 1))
                .extended(0x320, ExtendedCapability.VENDOR, 1)
                .build();
    }

    @Test
    void everyCachedFieldIsFilledFromItsCapability() {
        GuestPciDev dev = probe(everything());
        assertThat(dev.pmCap()).isEqualTo(0x40);
        assertThat(dev.vpdCap()).isEqualTo(0x48);
        assertThat(dev.msiCap()).isEqualTo(0x50);
        assertThat(dev.msixCap()).isEqualTo(0x60);
        assertThat(dev.pcieCap()).isEqualTo(0x70);
        assertThat(dev.aerCap()).isEqualTo(0x100);
        assertThat(dev.l1ss()).isEqualTo(0x148);
        assertThat(dev.sriovPos()).isEqualTo(0x160);
        assertThat(dev.atsCap()).isEqualTo(0x1A0);
        assertThat(dev.priCap()).isEqualTo(0x1B0);
        assertThat(dev.pasidCap()).isEqualTo(0x1C0);
        assertThat(dev.acsCap()).isEqualTo(0x1D0);
        assertThat(dev.ptmCap()).isEqualTo(0x1E0);
        assertThat(dev.dpcCap()).isEqualTo(0x200);
        assertThat(dev.doeMailboxes()).containsExactly(0x260, 0x2A0);
        assertThat(dev.offset(CachedField.DOE_MB)).isEqualTo(0x260);
        assertThat(dev.tphCap()).isEqualTo(0x280);
        assertThat(dev.rebarCap()).isEqualTo(0x2C0);
        assertThat(dev.npemPos()).isEqualTo(0x300);
        List<CachedField> fields = new ArrayList<>();
        dev.cachedOffsets().forEach(c -> fields.add(c.field()));
        // every field once, and the second DOE mailbox
        assertThat(fields).hasSize(CachedField.values().length + 1).containsOnly(CachedField.values());
        for (CachedOffset cached : dev.cachedOffsets()) {
            if (cached.field() != CachedField.DOE_MB) {
                assertThat(dev.offset(cached.field())).isEqualTo(cached.offset());
            }
        }
    }

    @Test
    void probeNeverRescansButFindStillReadsTheDevice() {
        InMemoryConfigPort port = new InMemoryConfigPort(Images.dsaLike());
        GuestPciDev dev = GuestPciDev.probe(port);
        // the VMM moves PASID from 0x180 to 0x200 under the guest
        ConfigSpace cs = port.config();
        ext(cs, 0x170, ExtendedCapability.PRI.id(), 1, 0x200);
        ext(cs, 0x200, ExtendedCapability.PASID.id(), 1, 0);
        cs.setU32(0x180, 0);
        assertThat(dev.pasidCap()).isEqualTo(0x180);
        assertThat(dev.findExtCapability(ExtendedCapability.PASID.id())).isEqualTo(0x200);
        assertThat(dev.findCapability(StandardCapability.MSIX.id())).isEqualTo(0x50);
        assertThat(dev.findNextCapability(0x50, StandardCapability.MSIX.id())).isZero();
        assertThat(dev.findNextExtCapability(0x100, ExtendedCapability.AER.id())).isZero();
    }

    @Test
    void aConventionalFunctionHasNoExtendedSpaceEvenWhenBytesAreThere() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x1234)
                .standard(0x40, StandardCapability.PM)
                .extended(0x100, ExtendedCapability.PASID, 1)
                .build();
        GuestPciDev dev = probe(cs);
        assertThat(dev.isPcie()).isFalse();
        assertThat(dev.pcieType()).isEqualTo(-1);
        assertThat(dev.cfgSize()).isEqualTo(256);
        assertThat(dev.pasidCap()).isZero();
        assertThat(dev.findExtCapability(ExtendedCapability.PASID.id())).isZero();
    }

    @Test
    void aPcieFunctionWhoseExtendedSpaceDoesNotAnswerHas256Bytes() {
        ConfigSpace full = Images.dsaLike();
        assertThat(probe(full.resized(256, 0)).cfgSize()).isEqualTo(256);
        full.setU32(0x100, -1);
        GuestPciDev dev = probe(full);
        assertThat(dev.cfgSize()).isEqualTo(256);
        assertThat(dev.pasidCap()).isZero();
    }

    @Test
    void extendedSpaceThatAliasesConventionalSpaceIsIgnored() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x1b21, 0x1080).pcie(0x40, DeviceTraits.PCIE_PCIE_TO_PCI_BRIDGE).build();
        for (int at = 0x100; at < 0x1000; at += 0x100) {
            cs.put(at, cs.slice(0, 0x100));
        }
        assertThat(probe(cs).cfgSize()).isEqualTo(256);
        cs.setU32(0xF00, 0);
        assertThat(probe(cs).cfgSize()).isEqualTo(4096);
    }

    @Test
    void pciXHasExtendedSpaceOnlyAt266Or533MHz() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x1000, 0x0030)
                .standard(0x40, StandardCapability.PCIX)
                .extended(0x100, ExtendedCapability.AER, 1)
                .extended(0x140, ExtendedCapability.SRIOV, 1)
                .build();
        assertThat(probe(cs).cfgSize()).isEqualTo(256);
        cs.setU32(0x44, 0x4000_0000);
        GuestPciDev dev = probe(cs);
        assertThat(dev.cfgSize()).isEqualTo(4096);
        assertThat(dev.aerCap()).isEqualTo(0x100);
        // SR-IOV (and PTM) are looked up for PCI Express functions only
        assertThat(dev.sriovPos()).isZero();
        cs.setU32(0x44, 0x8000_0000);
        assertThat(probe(cs).cfgSize()).isEqualTo(4096);
    }

    @Test
    void aHostBridgeHasExtendedSpaceWithoutPciExpress() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x29C0).classCode(0x060000)
                .extended(0x100, ExtendedCapability.VENDOR, 1)
                .build();
        GuestPciDev dev = probe(cs);
        assertThat(dev.isPcie()).isFalse();
        assertThat(dev.cfgSize()).isEqualTo(4096);
        assertThat(dev.findExtCapability(ExtendedCapability.VENDOR.id())).isEqualTo(0x100);
    }

    @Test
    void aPowerManagementVersionAbove3IsNotCachedAndWarned() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x10EC, 0x8136)
                .standard(0x40, StandardCapability.PM, (c, at) -> c.setU16(at + 2, 0x0007))
                .build();
        GuestPciDev dev = probe(cs);
        assertThat(dev.pmCap()).isZero();
        assertThat(dev.findCapability(StandardCapability.PM.id())).isEqualTo(0x40);
        assertThat(dev.warnings()).singleElement().asString().contains("unsupported PM cap regs version (7)");
    }

    @Test
    void probeClearsMsiAndMsixEnableAndWritesAcsControlAndNothingElse() {
        ConfigSpace cs = Images.dsaLike();
        cs.setU16(0x50 + 2, 0x8000 | 0x4000 | 7); // MSI-X enabled and masked, 8 vectors
        InMemoryConfigPort memory = new InMemoryConfigPort(cs);
        RecordingConfigPort port = new RecordingConfigPort(memory);
        GuestPciDev.probe(port);
        assertThat(port.writes()).extracting(Object::toString).containsExactly("w16 0x052 = 0x4007", "w16 0x156 = 0x1d");

        ConfigSpace msi = ConfigSpaceBuilder.endpoint(0x8086, 0x1)
                .standard(0x40, StandardCapability.MSI, (c, at) -> c.setU16(at + 2, 0x0081))
                .build();
        RecordingConfigPort msiPort = new RecordingConfigPort(new InMemoryConfigPort(msi));
        GuestPciDev dev = GuestPciDev.probe(msiPort);
        assertThat(dev.msiCap()).isEqualTo(0x40);
        assertThat(msiPort.writes()).extracting(Object::toString).containsExactly("w16 0x042 = 0x80");
    }

    @Test
    void probeEnablesTheAcsControlsTheDeviceHasWhenAnIommuAsks() {
        ConfigSpace cs = Images.dsaLike();
        cs.setU16(0x150 + 4, 0x7F); // SV TB RR CR UF EC DT
        assertThat(Fixture.of(cs.copy()).cs().u16(0x156)).isEqualTo(0x1D);
        assertThat(Fixture.of(cs.copy(), GuestTopology.behindRootPort().withUntrusted(true)).cs().u16(0x156)).isEqualTo(0x1F);
        cs.setU16(0x156, 0x20);
        Fixture noIommu = Fixture.of(cs.copy(), GuestTopology.behindRootPort().withIommuPresent(false));
        assertThat(noIommu.cs().u16(0x156)).isEqualTo(0x20);
    }

    @Test
    void pasidRequiredIsReadFromPriStatusAtProbe() {
        ConfigSpace cs = Images.dsaLike();
        assertThat(probe(cs.copy()).pasidRequired()).isFalse();
        cs.setU16(0x170 + 6, 0x8100);
        GuestPciDev dev = probe(cs);
        assertThat(dev.pasidRequired()).isTrue();
        assertThat(dev.prgResponsePasidRequired()).isEqualTo(1);
    }

    @Test
    void endToEndTlpPrefixesComeFromDevcap2AndTheUpstreamBridge() {
        ConfigSpace cs = Images.dsaLike();
        GuestTopology noBridgePrefix = GuestTopology.behindRootPort().withBridgeEetlpPrefix(false);
        assertThat(probe(cs.copy()).eetlpPrefixMax()).isEqualTo(4); // field 00b means 4
        assertThat(GuestPciDev.probe(new InMemoryConfigPort(cs.copy()), noBridgePrefix).eetlpPrefixMax()).isZero();
        cs.setU32(0x60 + 0x24, 1 << 21 | 2 << 22);
        assertThat(probe(cs.copy()).eetlpPrefixMax()).isEqualTo(2);
        // an RC integrated endpoint is its own path to the root
        cs.setU16(0x60 + 2, DeviceTraits.PCIE_RC_INTEGRATED_ENDPOINT << 4 | 2);
        assertThat(GuestPciDev.probe(new InMemoryConfigPort(cs.copy()), noBridgePrefix).eetlpPrefixMax()).isEqualTo(2);
        // so is a root port
        cs.setU16(0x60 + 2, DeviceTraits.PCIE_ROOT_PORT << 4 | 2);
        assertThat(GuestPciDev.probe(new InMemoryConfigPort(cs.copy()), noBridgePrefix).eetlpPrefixMax()).isEqualTo(2);
        // a version 1 PCI Express capability has no Device Capabilities 2
        cs.setU16(0x60 + 2, DeviceTraits.PCIE_ENDPOINT << 4 | 1);
        assertThat(probe(cs.copy()).eetlpPrefixMax()).isZero();
        // and without the supported bit there are none
        cs.setU16(0x60 + 2, DeviceTraits.PCIE_ENDPOINT << 4 | 2);
        cs.setU32(0x60 + 0x24, 0);
        assertThat(probe(cs).eetlpPrefixMax()).isZero();
    }

    @Test
    void noatsLeavesAtsCapAtZero() {
        GuestPciDev dev = GuestPciDev.probe(new InMemoryConfigPort(Images.dsaLike()),
                GuestTopology.behindRootPort().withAtsDisabled(true));
        assertThat(dev.atsCap()).isZero();
        assertThat(dev.findExtCapability(ExtendedCapability.ATS.id())).isEqualTo(0x160);
        assertThat(dev.enableAts(12)).isEqualTo(Errno.EINVAL);
    }

    @Test
    void npemIsCachedOnlyWhenNpemCapableIsSet() {
        ConfigSpace cs = everything();
        cs.setU32(0x304, 0);
        assertThat(probe(cs).npemPos()).isZero();
    }

    @Test
    void headerFieldsAreReadOnce() {
        ConfigSpace cs = ConfigSpaceBuilder.bridge(0x10B5, 0x8747).revision(0xCA).classCode(0x060400)
                .with((c, at) -> c.setU8(Header.HEADER_TYPE, 0x81))
                .pcie(0x68, DeviceTraits.PCIE_DOWNSTREAM_PORT)
                .build();
        GuestPciDev dev = probe(cs);
        assertThat(dev.hdrType()).isEqualTo(1);
        assertThat(dev.multifunction()).isTrue();
        assertThat(dev.revision()).isEqualTo(0xCA);
        assertThat(dev.classCode()).isEqualTo(0x060400);
        assertThat(dev.pcieType()).isEqualTo(DeviceTraits.PCIE_DOWNSTREAM_PORT);
        assertThat(dev.pcieFlagsReg()).isEqualTo(0x62);
        assertThat(dev.toString()).contains("10b5:8747", "pcie_cap=0x68");
    }

    @Test
    void probeRefusesAFunctionThatDoesNotAnswer() {
        ConfigSpace cs = ConfigSpace.allocate(256);
        cs.fill(0, 256, 0xFF);
        assertThatThrownBy(() -> probe(cs)).isInstanceOf(IllegalStateException.class).hasMessageContaining("0xffffffff");
        assertThatThrownBy(() -> probe(ConfigSpace.allocate(256))).hasMessageContaining("0x00000000");
        ConfigSpace half = ConfigSpace.allocate(256);
        half.setU16(0, 0xFFFF);
        assertThatThrownBy(() -> probe(half)).hasMessageContaining("0x0000ffff");
    }

    @Test
    void probeReadsTheStandardListWithTheHeaderTypeItCached() {
        ConfigSpace cs = Images.blank();
        cs.setU8(Header.HEADER_TYPE, Header.TYPE_CARDBUS);
        cs.setU8(0x14, 0x40);
        std(cs, 0x40, StandardCapability.PM.id(), 0);
        cs.setU16(0x42, 2);
        assertThat(probe(cs).pmCap()).isEqualTo(0x40);
    }
}
