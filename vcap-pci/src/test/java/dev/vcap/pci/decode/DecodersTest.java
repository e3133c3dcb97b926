package dev.vcap.pci.decode;

import static dev.vcap.pci.decode.Fields.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DecodersTest {

    static final Set<CapabilityKind> DECODED = Set.of(StandardCapability.PM, StandardCapability.MSI,
            StandardCapability.MSIX, StandardCapability.PCI_EXPRESS, StandardCapability.VENDOR, ExtendedCapability.AER,
            ExtendedCapability.DSN, ExtendedCapability.VENDOR, ExtendedCapability.ACS, ExtendedCapability.ARI,
            ExtendedCapability.ATS, ExtendedCapability.SRIOV, ExtendedCapability.PRI, ExtendedCapability.RESIZABLE_BAR,
            ExtendedCapability.VF_RESIZABLE_BAR, ExtendedCapability.TPH, ExtendedCapability.LTR,
            ExtendedCapability.SECONDARY_PCIE, ExtendedCapability.PASID, ExtendedCapability.DPC, ExtendedCapability.L1PM,
            ExtendedCapability.PTM, ExtendedCapability.DVSEC, ExtendedCapability.DATA_LINK_FEATURE,
            ExtendedCapability.PHYSICAL_LAYER_16, ExtendedCapability.PHYSICAL_LAYER_32);

    @Test
    void everyCatalogueKindIsDecodedOrEmptyAndViewsNameTheirKind() {
        ConfigSpace cs = ConfigSpace.allocate(ConfigSpace.EXTENDED_SIZE);
        for (CapabilityKind kind : DecodeRobustnessTest.KINDS) {
            var view = Decoders.view(cs, kind, 0x100, DeviceTraits.unknown(0));
            assertThat(view.isPresent()).as("%s decoded", kind).isEqualTo(DECODED.contains(kind));
            view.ifPresent(v -> {
                assertThat(v.kind()).as("%s", kind).isEqualTo(kind == ExtendedCapability.VF_RESIZABLE_BAR
                        ? ExtendedCapability.RESIZABLE_BAR : kind); // the header (all zero) decides between the two
                assertThat(v.offset()).isEqualTo(0x100);
                assertThat(v.name()).isEqualTo(v.kind().displayName());
            });
        }
    }

    @Test
    void viewsFollowTheChainAndSkipUndecodedKinds() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x0b25)
                .standard(0x40, StandardCapability.PM)
                .pcie(0x50, DeviceTraits.PCIE_RC_INTEGRATED_ENDPOINT)
                .standard(0x90, StandardCapability.SATA, (c, at) -> { })
                .extended(0x100, ExtendedCapability.PASID, 1)
                .extended(0x108, ExtendedCapability.DOE, 1)
                .extended(0x200, ExtendedCapability.ATS, 1)
                .extended(0x300, 0x7777, 1, (c, at) -> { })
                .build();
        CapabilityChain chain = CapabilityChain.walk(cs);
        List<CapabilityView> views = Decoders.views(cs, chain);
        assertThat(views).map(v -> v.getClass().getSimpleName())
                .containsExactly("PmView", "PcieView", "PasidView", "AtsView");
        Capability unknown = chain.extended().get(3);
        assertThat(Decoders.view(cs, unknown)).isEmpty();
        assertThat(Decoders.view(cs, chain.extended().get(0))).containsInstanceOf(PasidView.class);
    }

    @Test
    void exhaustiveSwitchOverTheSealedViews() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x0b25)
                .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.PASID, 1, (c, at) -> c.setU16(at + 4, 0x1406))
                .extended(0x200, ExtendedCapability.ATS, 1)
                .build();
        List<String> described = Decoders.views(cs, CapabilityChain.walk(cs)).stream().map(DecodersTest::describe).toList();
        assertThat(described).containsExactly("other Express", "PASID 20 bits", "ATS depth 32");
    }

    static String describe(CapabilityView view) {
        return switch (view) {
            case PasidView p -> "PASID " + p.maxPasidWidth() + " bits";
            case AtsView a -> "ATS depth " + a.effectiveInvalidateQueueDepth();
            case PriView p -> "PRI " + p.outstandingPageRequestCapacity();
            case PmView p -> "other " + p.name();
            case MsiView m -> "other " + m.name();
            case MsixView m -> "other " + m.name();
            case PcieView p -> "other " + p.name();
            case VendorSpecificView v -> "other " + v.name();
            case AerView a -> "other " + a.name();
            case AcsView a -> "other " + a.name();
            case AriView a -> "other " + a.name();
            case SriovView s -> "other " + s.name();
            case LtrView l -> "other " + l.name();
            case L1SubstatesView l -> "other " + l.name();
            case DpcView d -> "other " + d.name();
            case PtmView p -> "other " + p.name();
            case ResizableBarView r -> "other " + r.name();
            case DsnView d -> "other " + d.name();
            case VsecView v -> "other " + v.name();
            case DvsecView d -> "other " + d.name();
            case TphView t -> "other " + t.name();
            case DataLinkFeatureView d -> "other " + d.name();
            case SecondaryPcieView s -> "other " + s.name();
            case PhysicalLayer16View p -> "other " + p.name();
            case PhysicalLayer32View p -> "other " + p.name();
        };
    }

    @Test
    void registersPastTheCapturedBytesReadAsZeroAndSaySo() {
        ConfigSpace full = ConfigSpaceBuilder.endpoint(0x8086, 0x0b25)
                .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.ARI, 1)
                .extended(0x108, ExtendedCapability.PRI, 1, (c, at) -> {
                    c.setU16(at + PriView.STATUS, PriView.STATUS_STOPPED);
                    c.setU32(at + PriView.CAPACITY, 0x8000);
                    c.setU32(at + PriView.ALLOCATION, 0x20);
                })
                .build();
        ConfigSpace cut = full.resized(0x110, 0); // PRI at 0x108 is cut after its status register
        PriView v = (PriView) Decoders.view(cut, CapabilityChain.walk(cut).extended().get(1)).orElseThrow();
        assertThat(v.stopped()).isTrue();
        assertThat(v.outstandingPageRequestCapacity()).isZero();
        assertThat(v.outstandingPageRequestAllocation()).isZero();
        RegisterField capacity = field(v, "Outstanding Page Request Capacity", "Outstanding Page Request Capacity");
        assertThat(capacity.captured()).isFalse();
        assertThat(capacity.meaning()).isEqualTo(RegisterField.NOT_CAPTURED);
        assertThat(capacity.value()).isZero();
        assertThat(field(v, "Page Request Status", "Stopped").captured()).isTrue();
        assertThat(new PriView(full, 0x108).outstandingPageRequestCapacity()).isEqualTo(0x8000);
        // a standard capability never reads across 0xFF into extended space
        ConfigSpace edge = ConfigSpace.allocate(ConfigSpace.EXTENDED_SIZE);
        edge.fill(0x100, 0x10, 0xFF);
        MsixView m = new MsixView(edge, 0xFC);
        assertThat(m.captured(MsixView.TABLE, 4)).isFalse();
        assertThat(m.tableOffset()).isZero();
        assertThat(new PasidView(edge, 0xFFC).capability()).isZero();
        assertThat(new PasidView(edge, -8).capability()).isZero();
    }

    @Test
    void fieldMasksAreDerivedFromTheConstants() {
        RegisterField f = new RegisterField("R", "F", 0x104, 2, 8, 12, 20, "20 bits");
        assertThat(f.mask()).isEqualTo(PasidView.MAX_WIDTH_MASK);
        assertThat(f.bits()).isEqualTo(5);
        assertThat(f.isFlag()).isFalse();
        assertThat(f.toString()).isEqualTo("0x104 R [12:8] F = 20 bits");
        assertThat(PasidView.CONTROL).isEqualTo(PasidView.CAPABILITY + 2);
        assertThat(AtsView.LENGTH).isEqualTo(8);
        assertThat(SriovView.VF_MIGRATION_STATE).isEqualTo(0x3C);
        assertThat(PcieView.LENGTH_V2).isEqualTo(0x3C);
        assertThat(DsnView.LENGTH).isEqualTo(12);
    }

    @Test
    void everyFieldOfABuiltDeviceIsNamedOnceAndWithinItsRegister() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x0b25)
                .standard(0x40, StandardCapability.PM)
                .standard(0x48, StandardCapability.MSI, (c, at) -> c.setU16(at + 2, 0x0180))
                .pcie(0x60, DeviceTraits.PCIE_ENDPOINT)
                .standard(0xA0, StandardCapability.MSIX)
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x150, ExtendedCapability.SRIOV, 1)
                .extended(0x190, ExtendedCapability.PRI, 1)
                .extended(0x1A0, ExtendedCapability.PASID, 1)
                .extended(0x1A8, ExtendedCapability.ATS, 1)
                .build();
        for (CapabilityView v : Decoders.views(cs, CapabilityChain.walk(cs))) {
            var names = v.fields().stream().map(f -> f.register() + "/" + f.field()).collect(Collectors.toList());
            assertThat(names).as("%s", v.name()).doesNotHaveDuplicates();
            for (RegisterField f : v.fields()) {
                assertThat(f.bitHigh()).as("%s", f).isLessThan(8 * f.width());
                assertThat(f.bitLow()).isLessThanOrEqualTo(f.bitHigh());
                assertThat(f.value()).isLessThanOrEqualTo(f.bits() == 64 ? Long.MAX_VALUE : (1L << f.bits()) - 1);
            }
        }
    }
}
