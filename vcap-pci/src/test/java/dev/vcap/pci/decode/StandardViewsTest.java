package dev.vcap.pci.decode;

import static dev.vcap.pci.decode.Fields.field;
import static dev.vcap.pci.decode.Fields.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import org.junit.jupiter.api.Test;

/** PM, MSI, MSI-X, PCI Express and vendor-specific views over built images. */
class StandardViewsTest {

    @Test
    void powerManagement() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x1234)
                .standard(0x40, StandardCapability.PM, (c, at) -> {
                    c.setU16(at + PmView.PMC, 0xC9C3 & ~0x0040 | 0x0603); // v3, D1, D2, PME D0/D3hot/D3cold
                    c.setU16(at + PmView.PMCSR, 0x8103); // PME status, PME enable, D3hot
                })
                .build();
        PmView v = new PmView(cs, 0x40);
        assertThat(v.version()).isEqualTo(3);
        assertThat(v.d1Supported()).isTrue();
        assertThat(v.d2Supported()).isTrue();
        assertThat(v.pmeSupport()).isEqualTo(0b11001);
        assertThat(v.powerState()).isEqualTo(3);
        assertThat(v.pmeEnabled()).isTrue();
        assertThat(v.pmeStatus()).isTrue();
        assertThat(field(v, "Power Management Control/Status", "Power State").meaning()).isEqualTo("D3hot");
        assertThat(field(v, "Power Management Capabilities", "PME Support D3cold").bitLow()).isEqualTo(15);
        assertThat(PmView.LENGTH).isEqualTo(8);
    }

    @Test
    void msiLayoutFollowsItsControlBits() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x1234)
                .standard(0x50, StandardCapability.MSI, (c, at) -> {
                    c.setU16(at + MsiView.MESSAGE_CONTROL, MsiView.ADDRESS_64 | MsiView.PER_VECTOR_MASKING | 2 << 4 | 3 << 1 | 1);
                    c.setU32(at + MsiView.MESSAGE_ADDRESS, 0xFEE0_0000);
                    c.setU32(at + MsiView.MESSAGE_UPPER_ADDRESS, 1);
                    c.setU16(at + MsiView.MESSAGE_DATA_64, 0x4021);
                    c.setU32(at + MsiView.MASK_BITS_64, 0x0F);
                    c.setU32(at + MsiView.PENDING_BITS_64, 0x02);
                })
                .build();
        MsiView v = new MsiView(cs, 0x50);
        assertThat(v.enabled()).isTrue();
        assertThat(v.vectorsCapable()).isEqualTo(8);
        assertThat(v.vectorsEnabled()).isEqualTo(4);
        assertThat(v.is64Bit()).isTrue();
        assertThat(v.messageAddress()).isEqualTo(0x1_FEE0_0000L);
        assertThat(v.messageData()).isEqualTo(0x4021);
        assertThat(v.maskBits()).isEqualTo(0x0F);
        assertThat(v.pendingBits()).isEqualTo(0x02);
        assertThat(v.length()).isEqualTo(0x18);
        assertThat(field(v, "Message Data", "Message Data").offset()).isEqualTo(0x50 + 0x0C);
        assertThat(field(v, "Mask Bits", "Mask Bits").offset()).isEqualTo(0x50 + 0x10);

        ConfigSpace small = ConfigSpaceBuilder.endpoint(0x8086, 0x1234)
                .standard(0x50, StandardCapability.MSI, (c, at) -> {
                    c.setU16(at + MsiView.MESSAGE_CONTROL, MsiView.EXTENDED_DATA_CAPABLE);
                    c.setU16(at + MsiView.MESSAGE_DATA_32, 0x0041);
                    c.setU16(at + MsiView.EXTENDED_DATA_32, 0xBEEF);
                })
                .build();
        MsiView s = new MsiView(small, 0x50);
        assertThat(s.messageData()).isEqualTo(0x41);
        assertThat(s.extendedMessageData()).isEqualTo(0xBEEF);
        assertThat(s.maskBits()).isZero();
        assertThat(s.length()).isEqualTo(0x0C).isEqualTo(StandardCapability.MSI.length(small, 0x50, DeviceTraits.unknown(0)));
        assertThat(s.fields()).noneMatch(f -> f.register().equals("Message Upper Address") || f.register().equals("Mask Bits"));
    }

    @Test
    void msix() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x1234)
                .standard(0x70, StandardCapability.MSIX, (c, at) -> {
                    c.setU16(at + MsixView.MESSAGE_CONTROL, MsixView.ENABLE | 63);
                    c.setU32(at + MsixView.TABLE, 0x2000 | 4);
                    c.setU32(at + MsixView.PBA, 0x3000 | 4);
                })
                .build();
        MsixView v = new MsixView(cs, 0x70);
        assertThat(v.enabled()).isTrue();
        assertThat(v.functionMask()).isFalse();
        assertThat(v.tableSize()).isEqualTo(64);
        assertThat(v.tableBir()).isEqualTo(4);
        assertThat(v.tableOffset()).isEqualTo(0x2000);
        assertThat(v.pbaOffset()).isEqualTo(0x3000);
        assertThat(field(v, "Message Control", "Table Size").meaning()).isEqualTo("64 vectors");
        assertThat(field(v, "PBA Offset/PBA BIR", "PBA Offset").meaning()).isEqualTo("0x00003000");
    }

    @Test
    void pciExpressRootPort() {
        ConfigSpace cs = ConfigSpaceBuilder.bridge(0x8086, 0x466e)
                .standard(0x40, StandardCapability.PCI_EXPRESS, (c, at) -> {
                    c.setU16(at + PcieView.FLAGS, PcieView.FLAGS_SLOT_IMPLEMENTED | DeviceTraits.PCIE_ROOT_PORT << 4 | 2);
                    c.setU32(at + PcieView.DEVCAP, PcieView.DEVCAP_ROLE_BASED_ERROR | 2);
                    c.setU16(at + PcieView.DEVCTL, 2 << PcieView.DEVCTL_MAX_READ_REQUEST_SHIFT | 1 << 5);
                    c.setU32(at + PcieView.LNKCAP, 2 << 24 | 1 << 21 | 3 << 10 | 4 << 4 | 4);
                    c.setU16(at + PcieView.LNKSTA, PcieView.LNKSTA_DLL_ACTIVE | 4 << 4 | 3);
                    c.setU32(at + PcieView.SLTCAP, 3 << 19 | 0x60);
                    c.setU16(at + PcieView.SLTSTA, PcieView.SLTSTA_PRESENCE_DETECT_STATE);
                    c.setU32(at + PcieView.RTSTA, PcieView.RTSTA_PME_STATUS | 0x0100);
                    c.setU32(at + PcieView.DEVCAP2, PcieView.DEVCAP2_ARI_FORWARDING | PcieView.DEVCAP2_LTR | 0xF);
                    c.setU32(at + PcieView.LNKCAP2, 0xF << 1);
                    c.setU16(at + PcieView.LNKCTL2, 4);
                })
                .build();
        PcieView v = new PcieView(cs, 0x40);
        assertThat(v.version()).isEqualTo(2);
        assertThat(v.deviceType()).isEqualTo(DeviceTraits.PCIE_ROOT_PORT);
        assertThat(v.hasLink()).isTrue();
        assertThat(v.hasSlot()).isTrue();
        assertThat(v.hasRoot()).isTrue();
        assertThat(v.maxPayloadSupported()).isEqualTo(512);
        assertThat(v.maxPayload()).isEqualTo(256);
        assertThat(v.maxReadRequest()).isEqualTo(512);
        assertThat(v.roleBasedErrorReporting()).isTrue();
        assertThat(v.portNumber()).isEqualTo(2);
        assertThat(v.maxLinkSpeed()).isEqualTo(4);
        assertThat(v.maxLinkWidth()).isEqualTo(4);
        assertThat(v.aspmSupport()).isEqualTo(3);
        assertThat(v.currentLinkSpeed()).isEqualTo(3);
        assertThat(v.negotiatedLinkWidth()).isEqualTo(4);
        assertThat(v.dllLinkActive()).isTrue();
        assertThat(v.physicalSlotNumber()).isEqualTo(3);
        assertThat(v.hotPlugCapable()).isTrue();
        assertThat(v.presenceDetected()).isTrue();
        assertThat(v.pmeRequesterId()).isEqualTo(0x100);
        assertThat(v.ariForwardingSupported()).isTrue();
        assertThat(v.ltrSupported()).isTrue();
        assertThat(v.completionTimeoutRanges()).isEqualTo(0xF);
        assertThat(v.supportedLinkSpeeds()).isEqualTo(0xF);
        assertThat(v.targetLinkSpeed()).isEqualTo(4);
        assertThat(field(v, "Link Capabilities", "Max Link Speed").meaning()).isEqualTo("16GT/s");
        assertThat(field(v, "Link Status", "Current Link Speed").meaning()).isEqualTo("8GT/s");
        assertThat(field(v, "Link Capabilities 2", "Supported Link Speeds Vector").meaning())
                .isEqualTo("2.5GT/s, 5GT/s, 8GT/s, 16GT/s");
        assertThat(field(v, "Link Capabilities", "Port Number").bitLow()).isEqualTo(24);
        assertThat(field(v, "PCI Express Capabilities", "Device/Port Type").meaning()).isEqualTo("Root Port");
        assertThat(value(v, "Root Status", "PME Status")).isEqualTo(1);
        assertThat(v.fields()).anyMatch(f -> f.register().equals("Slot Capabilities 2"));
    }

    @Test
    void pciExpressRegisterGroupsFollowTheFunctionType() {
        ConfigSpace rciep = ConfigSpaceBuilder.endpoint(0x8086, 0x0b25)
                .pcie(0x40, DeviceTraits.PCIE_RC_INTEGRATED_ENDPOINT).build();
        PcieView v = new PcieView(rciep, 0x40);
        assertThat(v.hasLink()).isFalse();
        assertThat(v.fields()).noneMatch(f -> f.register().startsWith("Link") || f.register().startsWith("Slot")
                || f.register().startsWith("Root"));
        assertThat(v.fields()).anyMatch(f -> f.register().equals("Device Capabilities 2"));
        ConfigSpace endpoint = ConfigSpaceBuilder.endpoint(0x8086, 0x1234).pcie(0x40, DeviceTraits.PCIE_ENDPOINT).build();
        PcieView e = new PcieView(endpoint, 0x40);
        assertThat(e.fields()).anyMatch(f -> f.register().equals("Link Status 2"));
        assertThat(e.fields()).noneMatch(f -> f.register().startsWith("Slot") || f.register().startsWith("Root"));
        assertThat(e.maxLinkWidth()).isEqualTo(16);
    }

    @Test
    void vendorSpecific() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x10de, 0x1234)
                .standard(0xC8, StandardCapability.VENDOR, (c, at) -> c.setU8(at + 2, 0x14))
                .build();
        VendorSpecificView v = new VendorSpecificView(cs, 0xC8);
        assertThat(v.capabilityLength()).isEqualTo(0x14);
        assertThat(value(v, "Capability Header", "Capability ID")).isEqualTo(0x09);
    }
}
