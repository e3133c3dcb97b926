package dev.vcap.vmm.emit;

import dev.vcap.host.ConfigRegion;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.occupancy.ByteRange;
import dev.vcap.pci.occupancy.OccupancyMap;
import dev.vcap.vmm.config.HiddenCapability;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.placement.Decision;
import dev.vcap.vmm.placement.PlacementEngine;
import dev.vcap.vmm.placement.PlacementPlan;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Turns one device's plan into QEMU 11.0's {@code vfio-pci} terms, and says what QEMU cannot
 * express. QEMU's side is followed from its sources (hw/vfio/pci.c and hw/pci/pcie.c, QEMU 11.0,
 * with the PASID series "hw/vfio/pci: Synthesize PASID capability for vfio-pci devices",
 * Shameer Kolothum, qemu-devel, 2026-01):
 *
 * <ul>
 *   <li>the only placement property is {@code x-vpasid-cap-offset} ({@code DEFINE_PROP_UINT16} in
 *       {@code vfio_pci_properties[]}; 0, the default, means 0xff8). {@code vfio_pci_synthesize_pasid_cap()}
 *       adds PASID only when the host reports PASID support through iommufd
 *       ({@code HostIOMMUDeviceClass.get_pasid_info}) and the vIOMMU reports
 *       {@code VIOMMU_FLAG_PASID_SUPPORTED}; {@code pcie_pasid_common_init()} copies Max PASID
 *       Width, Execute and Privileged from the host's values;</li>
 *   <li>no property synthesizes PRI or ATS: the device's own, when vfio-pci shows them, stay
 *       where they are, read-only;</li>
 *   <li>{@code vfio_add_ext_cap()} drops SR-IOV, ARI and what the kernel masked (ID 0), keeping a
 *       null header at 0x100 when the first capability goes, and virtualizes Resizable BAR: the
 *       same as vcap's default hiding policy; nothing else can be hidden;</li>
 *   <li>{@code pcie_insert_capability()} links the synthesized PASID into the extended list before
 *       the first capability, in chain order, whose offset is higher than PASID's (it assumes
 *       increasing next pointers); vcap links a synthesized capability at the end of the list;</li>
 *   <li>bytes no capability owns, and the bodies of capabilities it unlinks, are not emulated:
 *       guest writes go to vfio-pci, which writes them to the device (vfio_pci_config.c treats gaps
 *       as raw read/write). vcap's write policy drops guest writes to extended-space gaps.</li>
 * </ul>
 *
 * <p>Standard capabilities are not compared: both pass through what vfio-pci shows.
 */
public final class Realizer {

    /** QEMU's property for the synthesized PASID's offset. */
    public static final String VPASID_PROPERTY = "x-vpasid-cap-offset";

    /** How many non-zero gap runs a warning names before it counts the rest. */
    static final int RUNS_LISTED = 6;

    /** Extended capabilities {@code vfio_add_ext_cap()} drops: SR-IOV, ARI, and the kernel's null header. */
    private static final Set<Integer> QEMU_DROPS = Set.of(0, ExtendedCapability.SRIOV.id(), ExtendedCapability.ARI.id());

    private Realizer() {
    }

    /**
     * One planned device.
     *
     * @param host      the function to assign
     * @param source    where it was read from ({@code FILE:LINE})
     * @param hostView  the config region vfio-pci shows user space: what QEMU reads
     * @param guest     the guest's config space as the plan built it
     * @param plan      the placement plan, or null when nothing was placed
     * @param notPlaced why nothing was placed (device skipped, layout refused it), or null
     * @param hostPasid what the host reports for the device's PASID ({@link PasidSupport#NONE} without one)
     */
    public record Input(PciAddress host, String source, ConfigRegion hostView, VirtualConfigSpace guest,
            PlacementPlan plan, String notPlaced, PasidSupport hostPasid) {
    }

    /** A capability in a chain: where and which. */
    private record Entry(int offset, int id) {
        String name() {
            return id == 0 ? "the null header" : CapabilityKind.nameOf(CapabilitySpace.EXTENDED, id);
        }

        @Override
        public String toString() {
            return String.format("%s@0x%03x", name(), offset);
        }
    }

    /** Realizes one device's plan for QEMU, directly or through libvirt. */
    public static Realization realize(Input in, VmmTarget target) {
        if (in.plan() == null || in.notPlaced() != null) {
            return new Realization(in.host(), in.source(), OptionalInt.empty(), List.of(), List.of(),
                    "nothing placed: " + (in.notPlaced() != null ? in.notPlaced() : "no capability requested"));
        }
        if (in.plan().refused()) {
            return new Realization(in.host(), in.source(), OptionalInt.empty(), List.of(), List.of(),
                    "the plan was refused");
        }
        PlacementPlan plan = in.plan();
        ConfigSpace guestImage = in.guest().guestImage();
        List<String> requires = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Optional<Decision> pasid = plan.decision(SyntheticCapability.PASID);
        OptionalInt pasidOffset = pasid.filter(Decision::placed).map(d -> d.offset()).orElse(OptionalInt.empty());

        if (pasidOffset.isPresent()) {
            int at = pasidOffset.getAsInt();
            requires.add("the iommufd backend, through which QEMU reads the host's PASID support (IOMMU_GET_HW_INFO)"
                    + (target == VmmTarget.QEMU ? ": the -object iommufd and iommufd= written here"
                            : ": libvirt's <qemu:override> cannot create the iommufd object, so configure it for this"
                                    + " hostdev as your libvirt version allows"));
            requires.add("a vIOMMU that reports PASID support (VIOMMU_FLAG_PASID_SUPPORTED: in QEMU 11.0 the"
                    + " accelerated arm-smmuv3, accel=on with ssidsize > 0); without it QEMU adds no PASID and"
                    + " says nothing");
            if (!in.hostPasid().supported()) {
                warnings.add("the device shows no PASID capability of its own (a VF's PASID is its PF's): Linux"
                        + " then reports no PASID width for it (IOMMU_GET_HW_INFO out_max_pasid_log2 = 0) and QEMU"
                        + " adds no PASID, whatever " + VPASID_PROPERTY + " says");
            } else {
                PasidSupport offered = PasidSupport.ofCapability(guestImage.u16(at + Synthesizers.PASID_CAPABILITY));
                if (!offered.equals(in.hostPasid())) {
                    warnings.add(String.format("the plan's PASID offers %s; QEMU copies the host's, %s"
                            + " (pcie_pasid_common_init with IOMMU_GET_HW_INFO's values), and has no property to"
                            + " narrow them", describe(offered), describe(in.hostPasid())));
                }
            }
        } else if (in.hostPasid().supported()) {
            String why = pasid.map(d -> " (the plan: " + d.reason() + ")").orElse(" (PASID was not requested)");
            warnings.add(String.format("the plan exposes no PASID%s, but QEMU adds one at 0x%x by itself when the"
                    + " vIOMMU reports PASID support and the host a PASID width (%s=0, the default, means 0x%x;"
                    + " no property turns it off): give this device a vIOMMU without PASID support", why,
                    PlacementEngine.QEMU_DEFAULT_PASID_OFFSET, VPASID_PROPERTY,
                    PlacementEngine.QEMU_DEFAULT_PASID_OFFSET));
        }

        CapabilityChain hostChain = CapabilityChain.walk(in.hostView().snapshot());
        List<Integer> unexpressed = new ArrayList<>();
        for (SyntheticCapability c : List.of(SyntheticCapability.PRI, SyntheticCapability.ATS)) {
            Optional<Decision> d = plan.decision(c).filter(Decision::placed);
            if (d.isEmpty()) {
                continue;
            }
            unexpressed.add(c.kind().id());
            int planned = d.get().offset().getAsInt();
            String instead = hostChain.find(c.kind())
                    .map(own -> String.format("the device's own %s at 0x%03x, read-only (vfio-pci drops guest writes"
                            + " to it),", c.name(), own.offset()))
                    .orElse("no " + c.name() + ",");
            warnings.add(String.format("QEMU cannot synthesize %s: vfio-pci has no property for it (it synthesizes"
                    + " only PASID). The guest sees %s where the plan puts a synthesized %s at 0x%03x", c.name(),
                    instead, c.name(), planned));
        }

        compareChains(qemuChain(hostChain, pasidOffset.isPresent() && in.hostPasid().supported()
                ? pasidOffset : OptionalInt.empty()), planChain(guestImage), unexpressed, in.guest(), warnings);
        gapWrites(guestImage, warnings);
        return new Realization(in.host(), in.source(), pasidOffset, requires, warnings, null);
    }

    /** The extended list QEMU builds from vfio-pci's view, with PASID linked as pcie_insert_capability links it. */
    private static List<Entry> qemuChain(CapabilityChain hostChain, OptionalInt pasid) {
        List<Entry> out = new ArrayList<>();
        boolean headDropped = false;
        for (Capability c : hostChain.extended()) {
            if (QEMU_DROPS.contains(c.id())) {
                headDropped |= c.offset() == CapabilityChain.FIRST_EXTENDED_OFFSET;
            } else {
                out.add(new Entry(c.offset(), c.id()));
            }
        }
        if (headDropped && !out.isEmpty()) {
            out.addFirst(new Entry(CapabilityChain.FIRST_EXTENDED_OFFSET, 0));
        }
        if (pasid.isPresent()) {
            int at = pasid.getAsInt();
            int position = 0;
            while (position < out.size() && out.get(position).offset() <= at) {
                position++;
            }
            out.add(position, new Entry(at, ExtendedCapability.PASID.id()));
        }
        return out;
    }

    private static List<Entry> planChain(ConfigSpace guestImage) {
        return CapabilityChain.walk(guestImage).extended().stream().map(c -> new Entry(c.offset(), c.id())).toList();
    }

    /**
     * Warns about capabilities one side shows and the other does not, and about a different chain
     * order. PRI and ATS the plan synthesizes ({@code unexpressed}) are already explained, and PASID
     * has its own warnings; they take part only in the order.
     */
    private static void compareChains(List<Entry> qemu, List<Entry> plan, List<Integer> unexpressed,
            VirtualConfigSpace guest, List<String> warnings) {
        List<Entry> q = qemu.stream().filter(e -> !unexpressed.contains(e.id())).toList();
        List<Entry> p = plan.stream().filter(e -> !unexpressed.contains(e.id())).toList();
        int pasidId = ExtendedCapability.PASID.id();
        for (Entry e : p) {
            if (e.id() != pasidId && !q.contains(e)) {
                warnings.add(String.format("the plan shows %s; QEMU does not (vfio_add_ext_cap drops it)", e));
            }
        }
        for (Entry e : q) {
            if (e.id() != pasidId && !p.contains(e)) {
                String why = guest.layout().hidden().stream().filter(h -> h.offset() == e.offset())
                        .map(HiddenCapability::reason).findFirst().map(r -> " (" + r + ")").orElse("");
                warnings.add(String.format("the plan hides %s%s; QEMU cannot hide it: the guest sees it", e, why));
            }
        }
        List<Entry> qCommon = q.stream().filter(p::contains).toList();
        List<Entry> pCommon = p.stream().filter(q::contains).toList();
        if (!qCommon.equals(pCommon)) {
            warnings.add("QEMU links the extended capabilities in another order (pcie_insert_capability keeps"
                    + " them by offset), so the next pointers differ from the plan's, which a contract checks:"
                    + " QEMU " + join(qCommon) + "; the plan " + join(pCommon));
        }
    }

    private static void gapWrites(ConfigSpace guestImage, List<String> warnings) {
        List<ByteRange> runs = OccupancyMap.of(guestImage, CapabilityChain.walk(guestImage)).nonZeroInGaps().stream()
                .filter(r -> r.start() >= ConfigSpace.CONVENTIONAL_SIZE).toList();
        StringBuilder w = new StringBuilder("guest writes to extended-space bytes no capability owns reach the"
                + " device under QEMU (vfio-pci passes gaps through raw); vcap's write policy drops them");
        if (!runs.isEmpty()) {
            w.append(". Non-zero there, possibly registers: ");
            for (int i = 0; i < Math.min(runs.size(), RUNS_LISTED); i++) {
                ByteRange r = runs.get(i);
                w.append(i == 0 ? "" : ", ").append(String.format("0x%03x-0x%03x", r.start(), r.end() - 1));
            }
            if (runs.size() > RUNS_LISTED) {
                w.append(" and ").append(runs.size() - RUNS_LISTED).append(" more");
            }
        }
        warnings.add(w.toString());
    }

    private static String describe(PasidSupport s) {
        return String.format("width %d, Exec%s Priv%s", s.width(), s.execute() ? "+" : "-", s.privileged() ? "+" : "-");
    }

    private static String join(List<Entry> entries) {
        return String.join(" -> ", entries.stream().map(Entry::toString).toList());
    }
}
