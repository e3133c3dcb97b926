package dev.vcap.pci.capability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The catalogue covers every assigned ID and computes variable lengths from registers. */
class CatalogueTest {

    private static final DeviceTraits ENDPOINT = new DeviceTraits(0, DeviceTraits.PCIE_ENDPOINT, 16);
    private static final DeviceTraits ROOT_PORT = new DeviceTraits(1, DeviceTraits.PCIE_ROOT_PORT, 4);

    @Test
    void everyStandardIdFrom01To15IsCatalogued() {
        assertThat(IntStream.rangeClosed(0x01, 0x15).filter(id -> StandardCapability.byId(id).isEmpty())).isEmpty();
        assertThat(StandardCapability.byId(0x16)).isEmpty();
    }

    @Test
    void everyExtendedIdFrom01To34IsCatalogued() {
        assertThat(IntStream.rangeClosed(0x01, 0x34).filter(id -> ExtendedCapability.byId(id).isEmpty())).isEmpty();
        assertThat(ExtendedCapability.byId(0x35)).isEmpty();
    }

    @Test
    void unknownIdsHavePciutilsStyleNames() {
        assertThat(CapabilityKind.nameOf(CapabilitySpace.STANDARD, 0x42)).isEqualTo("#42");
        assertThat(CapabilityKind.nameOf(CapabilitySpace.EXTENDED, 0x99)).isEqualTo("Extended Capability ID 0x99");
        assertThat(CapabilityKind.nameOf(CapabilitySpace.EXTENDED, 0)).isEqualTo("Null");
    }

    @Test
    void fixedLengthsMatchTheSpec() {
        ConfigSpace cs = ConfigSpace.allocate(4096);
        assertThat(ExtendedCapability.PASID.length(cs, 0x100, ENDPOINT)).isEqualTo(8);
        assertThat(ExtendedCapability.ATS.length(cs, 0x100, ENDPOINT)).isEqualTo(8);
        assertThat(ExtendedCapability.PRI.length(cs, 0x100, ENDPOINT)).isEqualTo(16);
        assertThat(ExtendedCapability.ARI.length(cs, 0x100, ENDPOINT)).isEqualTo(8);
        assertThat(ExtendedCapability.DSN.length(cs, 0x100, ENDPOINT)).isEqualTo(12);
        assertThat(ExtendedCapability.LTR.length(cs, 0x100, ENDPOINT)).isEqualTo(8);
        assertThat(ExtendedCapability.SRIOV.length(cs, 0x100, ENDPOINT)).isEqualTo(64);
        assertThat(StandardCapability.PM.length(cs, 0x40, ENDPOINT)).isEqualTo(8);
        assertThat(StandardCapability.MSIX.length(cs, 0x40, ENDPOINT)).isEqualTo(12);
    }

    @Test
    void msiLengthFollowsItsFlags() {
        ConfigSpace cs = ConfigSpace.allocate(256);
        assertThat(StandardCapability.MSI.length(cs, 0x50, ENDPOINT)).isEqualTo(10);
        cs.setU16(0x52, 0x80);
        assertThat(StandardCapability.MSI.length(cs, 0x50, ENDPOINT)).isEqualTo(14);
        cs.setU16(0x52, 0x180);
        assertThat(StandardCapability.MSI.length(cs, 0x50, ENDPOINT)).isEqualTo(24);
        cs.setU16(0x52, 0x100);
        assertThat(StandardCapability.MSI.length(cs, 0x50, ENDPOINT)).isEqualTo(20);
    }

    @Test
    void pcieLengthFollowsVersionAndType() {
        ConfigSpace cs = ConfigSpace.allocate(256);
        cs.setU16(0x42, 0x0002);
        assertThat(StandardCapability.PCI_EXPRESS.length(cs, 0x40, ENDPOINT)).isEqualTo(0x3C);
        cs.setU16(0x42, 0x0001);
        assertThat(StandardCapability.PCI_EXPRESS.length(cs, 0x40, ENDPOINT)).isEqualTo(0x14);
        cs.setU16(0x42, 0x0041);
        assertThat(StandardCapability.PCI_EXPRESS.length(cs, 0x40, ROOT_PORT)).isEqualTo(0x24);
        cs.setU16(0x42, 0x0091);
        assertThat(StandardCapability.PCI_EXPRESS.length(cs, 0x40, ENDPOINT)).isEqualTo(0x0C);
    }

    @Test
    void vendorSpecificLengthsComeFromTheirLengthFields() {
        ConfigSpace cs = ConfigSpace.allocate(4096);
        cs.setU8(0x62, 0x14);
        assertThat(StandardCapability.VENDOR.length(cs, 0x60, ENDPOINT)).isEqualTo(0x14);
        cs.setU32(0x204, 0x0380_1e98);
        assertThat(ExtendedCapability.DVSEC.length(cs, 0x200, ENDPOINT)).isEqualTo(0x38);
        assertThat(ExtendedCapability.VENDOR.length(cs, 0x200, ENDPOINT)).isEqualTo(0x38);
    }

    @Test
    void aerLengthDependsOnPortTypeAndPrefixLog() {
        ConfigSpace cs = ConfigSpace.allocate(4096);
        assertThat(ExtendedCapability.AER.length(cs, 0x100, ENDPOINT)).isEqualTo(0x2C);
        assertThat(ExtendedCapability.AER.length(cs, 0x100, ROOT_PORT)).isEqualTo(0x38);
        cs.setU32(0x118, 1 << 11);
        assertThat(ExtendedCapability.AER.length(cs, 0x100, ENDPOINT)).isEqualTo(0x48);
    }

    @Test
    void acsLengthIncludesTheEgressVector() {
        ConfigSpace cs = ConfigSpace.allocate(4096);
        assertThat(ExtendedCapability.ACS.length(cs, 0x100, ENDPOINT)).isEqualTo(8);
        cs.setU16(0x104, 1 << 5 | 40 << 8); // egress control, 40 bits -> 64 bits -> 8 bytes
        assertThat(ExtendedCapability.ACS.length(cs, 0x100, ENDPOINT)).isEqualTo(16);
        cs.setU16(0x104, 1 << 5); // 0 means 256 bits
        assertThat(ExtendedCapability.ACS.length(cs, 0x100, ENDPOINT)).isEqualTo(8 + 32);
    }

    @Test
    void resizableBarAndTphAndDpaLengths() {
        ConfigSpace cs = ConfigSpace.allocate(4096);
        cs.setU32(0x108, 3 << 5);
        assertThat(ExtendedCapability.RESIZABLE_BAR.length(cs, 0x100, ENDPOINT)).isEqualTo(4 + 24);
        assertThat(ExtendedCapability.VF_RESIZABLE_BAR.length(cs, 0x100, ENDPOINT)).isEqualTo(4 + 24);
        cs.setU32(0x204, 1 << 9 | 7 << 16); // ST table in the capability, 8 entries
        assertThat(ExtendedCapability.TPH.length(cs, 0x200, ENDPOINT)).isEqualTo(0x0C + 16);
        cs.setU32(0x304, 5);
        assertThat(ExtendedCapability.DPA.length(cs, 0x300, ENDPOINT)).isEqualTo(0x10 + 6);
    }

    @Test
    void virtualChannelLengthCoversItsArbitrationTables() {
        ConfigSpace cs = ConfigSpace.allocate(4096);
        assertThat(ExtendedCapability.VC.length(cs, 0x100, ENDPOINT)).isEqualTo(0x10 + 0x0C);
        cs.setU32(0x104, 1); // one extended VC
        assertThat(ExtendedCapability.VC.length(cs, 0x100, ENDPOINT)).isEqualTo(0x10 + 2 * 0x0C);
        cs.setU32(0x108, 0x03 << 24 | 1 << 1); // VC arbitration table at 0x30, WRR 32 phases = 16 bytes
        assertThat(ExtendedCapability.VC.length(cs, 0x100, ENDPOINT)).isEqualTo(0x30 + 16);
    }

    @Test
    void perLaneStructuresScaleWithLinkWidth() {
        ConfigSpace cs = ConfigSpace.allocate(4096);
        DeviceTraits x4 = new DeviceTraits(0, DeviceTraits.PCIE_ENDPOINT, 4);
        assertThat(ExtendedCapability.SECONDARY_PCIE.length(cs, 0x100, x4)).isEqualTo(0x0C + 8);
        assertThat(ExtendedCapability.PHYSICAL_LAYER_16.length(cs, 0x100, x4)).isEqualTo(0x24);
        assertThat(ExtendedCapability.LANE_MARGINING.length(cs, 0x100, x4)).isEqualTo(8 + 16);
    }

    @Test
    void lengthRulesAreDescribed() {
        for (CapabilityKind k : ExtendedCapability.values()) {
            assertThat(k.lengthRule().description()).as(k.toString()).isNotBlank();
        }
        assertThat(ConfigSpaceBuilder.class).isNotNull();
    }
}
