package dev.vcap.pci.capability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import org.junit.jupiter.api.Test;

/** Catalogue length rules where the spec decides a case the first rules got wrong. */
class CatalogueLengthTest {

    private static int length(ConfigSpace cs, CapabilityKind kind) {
        return CapabilityChain.walk(cs).find(kind).orElseThrow().length();
    }

    private static ConfigSpace msi(int messageControl) {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x1234)
                .standard(0x50, StandardCapability.MSI, (c, at) -> c.setU16(at + 2, messageControl))
                .build();
    }

    @Test
    void msiWithExtendedMessageDataButNoMaskingEndsAfterTheExtendedDataRegister() {
        int extendedData = 1 << 9;
        int address64 = 1 << 7;
        int masking = 1 << 8;
        assertThat(length(msi(0), StandardCapability.MSI)).isEqualTo(0x0A);
        assertThat(length(msi(extendedData), StandardCapability.MSI)).isEqualTo(0x0C);
        assertThat(length(msi(address64), StandardCapability.MSI)).isEqualTo(0x0E);
        assertThat(length(msi(address64 | extendedData), StandardCapability.MSI)).isEqualTo(0x10);
        // with masking the extended data sits in the word before the Mask Bits, already counted
        assertThat(length(msi(masking | extendedData), StandardCapability.MSI)).isEqualTo(0x14);
        assertThat(length(msi(address64 | masking | extendedData), StandardCapability.MSI)).isEqualTo(0x18);
    }

    private static ConfigSpace rebar(ExtendedCapability kind, int count) {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x1234)
                .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, kind, 1, (c, at) -> c.setU32(at + 8, count << 5))
                .build();
    }

    @Test
    void resizableBarAlwaysHasItsFirstEntryBecauseTheCountLivesThere() {
        for (ExtendedCapability kind : new ExtendedCapability[] {ExtendedCapability.RESIZABLE_BAR,
            ExtendedCapability.VF_RESIZABLE_BAR}) {
            assertThat(length(rebar(kind, 0), kind)).as("%s, count 0 (out of spec)", kind).isEqualTo(12);
            assertThat(length(rebar(kind, 1), kind)).isEqualTo(12);
            assertThat(length(rebar(kind, 6), kind)).isEqualTo(4 + 6 * 8);
        }
    }

    private static ConfigSpace pcieVersion1(int type) {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x1234)
                .standard(0x40, StandardCapability.PCI_EXPRESS, (c, at) -> c.setU16(at + 2, type << 4 | 1))
                .build();
    }

    @Test
    void pciExpressVersion1EventCollectorHasTheRootRegisters() {
        assertThat(length(pcieVersion1(DeviceTraits.PCIE_RC_EVENT_COLLECTOR), StandardCapability.PCI_EXPRESS))
                .isEqualTo(0x24);
        assertThat(length(pcieVersion1(DeviceTraits.PCIE_ROOT_PORT), StandardCapability.PCI_EXPRESS)).isEqualTo(0x24);
        assertThat(length(pcieVersion1(DeviceTraits.PCIE_RC_INTEGRATED_ENDPOINT), StandardCapability.PCI_EXPRESS))
                .isEqualTo(0x0C);
        assertThat(length(pcieVersion1(DeviceTraits.PCIE_DOWNSTREAM_PORT), StandardCapability.PCI_EXPRESS))
                .isEqualTo(0x1C);
        assertThat(length(pcieVersion1(DeviceTraits.PCIE_ENDPOINT), StandardCapability.PCI_EXPRESS)).isEqualTo(0x14);
    }
}
