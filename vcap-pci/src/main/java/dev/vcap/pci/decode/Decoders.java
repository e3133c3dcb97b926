package dev.vcap.pci.decode;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Picks the decoded view for a capability found by a chain walk.
 *
 * <p>Dispatch is an exhaustive switch over both catalogue enums, so a new catalogue entry does not
 * compile until it is given a view or listed as not decoded. Kinds without a view, IDs the catalogue
 * does not know, and the null extended capability (ID 0) give an empty result.
 *
 * <p>A view is created whenever the kind is decodable, even when the image holds only part of the
 * structure: registers outside the captured bytes read as 0 (see {@link RegisterView}). Nothing
 * here throws on device data.
 */
public final class Decoders {

    private Decoders() {
    }

    /**
     * The view of {@code capability}. Views whose layout depends on the function (AER's root
     * registers, the per-lane registers of Secondary PCI Express and the Physical Layer
     * capabilities) take the facts from a walk of {@code cs}; callers holding a walk should use
     * {@link #view(ConfigSpace, Capability, DeviceTraits)}.
     */
    public static Optional<CapabilityView> view(ConfigSpace cs, Capability capability) {
        Optional<CapabilityKind> kind = capability.kind();
        if (kind.isEmpty() || !needsTraits(kind.get())) {
            return kind.flatMap(k -> view(cs, k, capability.offset(), DeviceTraits.unknown(0)));
        }
        return view(cs, capability, CapabilityChain.walk(cs).traits());
    }

    /** The view of {@code capability}, sized with the function's {@code traits}. */
    public static Optional<CapabilityView> view(ConfigSpace cs, Capability capability, DeviceTraits traits) {
        return capability.kind().flatMap(k -> view(cs, k, capability.offset(), traits));
    }

    /** Views of every decodable capability of a walked chain, standard list first, in chain order. */
    public static List<CapabilityView> views(ConfigSpace cs, CapabilityChain chain) {
        List<CapabilityView> out = new ArrayList<>();
        chain.all().forEach(c -> view(cs, c, chain.traits()).ifPresent(out::add));
        return out;
    }

    /** The header view for the image's header type (0 or 1); empty for CardBus and unknown types. */
    public static Optional<HeaderView> header(ConfigSpace cs) {
        int type = cs.captured(Header.HEADER_TYPE, 1) ? Header.type(cs) : -1;
        return switch (type) {
            case Header.TYPE_NORMAL -> Optional.of(new Type0HeaderView(cs));
            case Header.TYPE_BRIDGE -> Optional.of(new Type1HeaderView(cs));
            default -> Optional.empty();
        };
    }

    /** True for the kinds whose view depends on {@link DeviceTraits}. */
    static boolean needsTraits(CapabilityKind kind) {
        return kind == ExtendedCapability.AER || kind == ExtendedCapability.SECONDARY_PCIE
                || kind == ExtendedCapability.PHYSICAL_LAYER_16 || kind == ExtendedCapability.PHYSICAL_LAYER_32;
    }

    /** The view of a structure of {@code kind} at {@code offset}; empty for kinds without a view. */
    public static Optional<CapabilityView> view(ConfigSpace cs, CapabilityKind kind, int offset, DeviceTraits traits) {
        CapabilityView view = switch (kind) {
            case StandardCapability s -> standard(cs, s, offset);
            case ExtendedCapability e -> extended(cs, e, offset, traits);
        };
        return Optional.ofNullable(view);
    }

    private static CapabilityView standard(ConfigSpace cs, StandardCapability kind, int offset) {
        return switch (kind) {
            case PM -> new PmView(cs, offset);
            case MSI -> new MsiView(cs, offset);
            case MSIX -> new MsixView(cs, offset);
            case PCI_EXPRESS -> new PcieView(cs, offset);
            case VENDOR -> new VendorSpecificView(cs, offset);
            case AGP, VPD, SLOT_ID, COMPACT_PCI_HOT_SWAP, PCIX, HYPERTRANSPORT, DEBUG_PORT, COMPACT_PCI_CRC, HOT_PLUG,
                 SUBSYSTEM_VENDOR, AGP3, SECURE_DEVICE, SATA, ADVANCED_FEATURES, ENHANCED_ALLOCATION,
                 FLATTENING_PORTAL_BRIDGE -> null;
        };
    }

    private static CapabilityView extended(ConfigSpace cs, ExtendedCapability kind, int offset, DeviceTraits traits) {
        return switch (kind) {
            case AER -> new AerView(cs, offset, traits.isRootPortOrCollector());
            case DSN -> new DsnView(cs, offset);
            case VENDOR -> new VsecView(cs, offset);
            case ACS -> new AcsView(cs, offset);
            case ARI -> new AriView(cs, offset);
            case ATS -> new AtsView(cs, offset);
            case SRIOV -> new SriovView(cs, offset);
            case PRI -> new PriView(cs, offset);
            case RESIZABLE_BAR, VF_RESIZABLE_BAR -> new ResizableBarView(cs, offset);
            case TPH -> new TphView(cs, offset);
            case LTR -> new LtrView(cs, offset);
            case SECONDARY_PCIE -> new SecondaryPcieView(cs, offset, traits.laneCount());
            case PASID -> new PasidView(cs, offset);
            case DPC -> new DpcView(cs, offset);
            case L1PM -> new L1SubstatesView(cs, offset);
            case PTM -> new PtmView(cs, offset);
            case DVSEC -> new DvsecView(cs, offset);
            case DATA_LINK_FEATURE -> new DataLinkFeatureView(cs, offset);
            case PHYSICAL_LAYER_16 -> new PhysicalLayer16View(cs, offset, traits.laneCount());
            case PHYSICAL_LAYER_32 -> new PhysicalLayer32View(cs, offset, traits.laneCount());
            case VC, POWER_BUDGETING, RC_LINK_DECLARATION, RC_INTERNAL_LINK_CONTROL, RC_EVENT_COLLECTOR, MFVC, VC9,
                 RCRB, CONFIG_ACCESS_CORRELATION, MRIOV, MULTICAST, RESERVED_AMD, DPA, PMUX, LN_REQUESTER, M_PCIE,
                 FRS_QUEUEING, READINESS_TIME_REPORTING, LANE_MARGINING, HIERARCHY_ID, NPEM, ALTERNATE_PROTOCOL, SFI,
                 SHADOW_FUNCTIONS, DOE, DEVICE_3, IDE, PHYSICAL_LAYER_64, FLIT_LOGGING, FLIT_PERFORMANCE,
                 FLIT_ERROR_INJECTION -> null;
        };
    }
}
