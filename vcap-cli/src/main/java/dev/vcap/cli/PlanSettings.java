package dev.vcap.cli;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.host.HwInfo;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.vmm.config.CapabilityDefinition;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolved placement settings, the same for every device of a run: what to synthesize, the chain's
 * options, and the register values asked for (null: take the device's physical value, else a
 * default).
 *
 * @param requested     PASID, PRI, ATS in that order, those asked for
 * @param options       the policy chain's inputs
 * @param pf            the PF's dump when the devices are its VFs, or null
 * @param pasidWidth    vIOMMU PASID width, or null for 20
 * @param exec          Execute Permission offered, or null for the physical PASID's (off without one)
 * @param priv          Privileged Mode offered, or null likewise
 * @param priCapacity   PRI capacity, or null for the physical PRI's (else 512)
 * @param atsQueueDepth ATS queue depth, or null for the physical ATS's (else 0, meaning 32)
 * @param vf            {@code --vf}: each device is a PF, planned as its first VF ({@link DerivedVf})
 */
record PlanSettings(List<SyntheticCapability> requested, PlacementOptions options, DeviceImage pf, Integer pasidWidth,
        Boolean exec, Boolean priv, Long priCapacity, Integer atsQueueDepth, boolean vf) {

    static final int DEFAULT_WIDTH = PasidSupport.MAX_WIDTH;
    static final int DEFAULT_PRI_CAPACITY = 512;

    PlanSettings {
        requested = List.copyOf(requested);
    }

    /** Settings for the devices themselves (no {@code --vf}). */
    PlanSettings(List<SyntheticCapability> requested, PlacementOptions options, DeviceImage pf, Integer pasidWidth,
            Boolean exec, Boolean priv, Long priCapacity, Integer atsQueueDepth) {
        this(requested, options, pf, pasidWidth, exec, priv, priCapacity, atsQueueDepth, false);
    }

    /** Settings that place nothing (a report without --pasid/--pri/--ats). */
    PlanSettings withOptions(PlacementOptions other) {
        return new PlanSettings(requested, other, pf, pasidWidth, exec, priv, priCapacity, atsQueueDepth, vf);
    }

    /** These settings for a VF of {@code pfImage}: the PF as {@code --pf} gives it (VF mirroring, register defaults). */
    PlanSettings forPf(DeviceImage pfImage) {
        return new PlanSettings(requested, options.withPf(pfImage.config()), pfImage, pasidWidth, exec, priv,
                priCapacity, atsQueueDepth);
    }

    /**
     * The register values of one device's synthesized capabilities, with where each came from.
     *
     * @param definitions what to synthesize, in request order
     * @param notes       where each capability's values came from
     * @param withheld    capabilities the host cannot offer at all, with why: a live host whose
     *                    IOMMU_GET_HW_INFO reports no PASID, or in QEMU 11.0's mode a function
     *                    without a PASID capability, its own or its PF's
     */
    record Registers(Map<SyntheticCapability, CapabilityDefinition> definitions, Map<SyntheticCapability, String> notes,
            Map<SyntheticCapability, String> withheld) {
    }

    /**
     * The synthesized definitions for one device, in request order. Physical values come from the
     * device's own capability, else the PF's (a VF has no PASID or PRI of its own).
     */
    Registers registers(ConfigSpace device) {
        return registers(device, null);
    }

    /**
     * As {@link #registers(ConfigSpace)}, on a live host: the host side of PASID (width, Exec, Priv) is
     * what IOMMU_GET_HW_INFO reported for the function, not the physical capability, which vfio hides.
     * A host that reports no PASID (out_max_pasid_log2 0) gets no synthesized PASID: a VMM offers vPASID
     * only when iommufd reports a width (QEMU 11.0 does the same).
     *
     * @param hwInfo the function's IOMMU_GET_HW_INFO, or null for a dump
     */
    Registers registers(ConfigSpace device, HwInfo hwInfo) {
        CapabilityChain own = CapabilityChain.walk(device);
        CapabilityChain pfChain = pf == null ? null : CapabilityChain.walk(pf.config());
        Map<SyntheticCapability, CapabilityDefinition> defs = new LinkedHashMap<>();
        Map<SyntheticCapability, String> notes = new LinkedHashMap<>();
        Map<SyntheticCapability, String> withheld = new LinkedHashMap<>();
        for (SyntheticCapability c : requested) {
            Optional<Source> physical = physical(device, own, c).or(() -> pfChain == null ? Optional.empty()
                    : physical(pf.config(), pfChain, c).map(s -> new Source(s.cs(), s.offset(), "the PF's")));
            switch (c) {
                case PASID -> {
                    boolean qemu = options.compat() == PlacementOptions.Compat.QEMU;
                    String qemuNone = qemu ? ": hiod_iommufd_get_pasid_info() returns false and QEMU 11.0"
                            + " synthesizes none" : "";
                    PasidSupport host;
                    String hostNote;
                    boolean known;
                    if (hwInfo != null) {
                        if (!hwInfo.pasidSupported()) {
                            withheld.put(c, "IOMMU_GET_HW_INFO reports out_max_pasid_log2 0 for this function (no PASID"
                                    + " capability, or the IOMMU did not enable it)" + qemuNone);
                            continue;
                        }
                        host = new PasidSupport(Math.min(PasidSupport.MAX_WIDTH, hwInfo.maxPasidLog2()),
                                hwInfo.has(HwInfo.CAP_PCI_PASID_EXEC), hwInfo.has(HwInfo.CAP_PCI_PASID_PRIV));
                        hostNote = String.format("IOMMU_GET_HW_INFO: width %d, Exec%s Priv%s", host.width(),
                                sign(host.execute()), sign(host.privileged()));
                        known = true;
                    } else {
                        host = physical.map(s -> {
                            int cap = s.cs().u16(s.offset() + Synthesizers.PASID_CAPABILITY);
                            int width = Math.min(PasidSupport.MAX_WIDTH, cap >>> 8 & 0x1F);
                            return new PasidSupport(width == 0 ? PasidSupport.MAX_WIDTH : width,
                                    (cap & Synthesizers.PASID_EXECUTE) != 0, (cap & Synthesizers.PASID_PRIVILEGED) != 0);
                        }).orElse(new PasidSupport(PasidSupport.MAX_WIDTH, true, true));
                        known = physical.isPresent();
                        if (qemu && !known) {
                            withheld.put(c, "the host reports no PASID for a function without a PASID capability (its"
                                    + " own, or for a VF its PF's: give --pf): GET_HW_INFO's out_max_pasid_log2 is 0"
                                    + qemuNone);
                            continue;
                        }
                        PasidSupport h = host;
                        hostNote = physical.map(s -> String.format("%s physical PASID: width %d, Exec%s Priv%s",
                                s.whose(), h.width(), sign(h.execute()), sign(h.privileged()))).orElse("no physical PASID");
                    }
                    PasidSupport viommu = new PasidSupport(pasidWidth == null ? DEFAULT_WIDTH : pasidWidth,
                            exec != null ? exec : known && host.execute(), priv != null ? priv : known && host.privileged());
                    // QEMU 11.0 takes the host's values unchanged (hiod_iommufd_get_pasid_info); vcap offers both sides'
                    PasidSupport guest = qemu ? host : host.intersect(viommu);
                    defs.put(c, Synthesizers.pasid(guest));
                    notes.put(c, String.format("width %d, Exec%s Priv%s (%s%s)", guest.width(), sign(guest.execute()),
                            sign(guest.privileged()), qemu ? "the host's, unchanged as QEMU 11.0 takes them"
                                    + " (hiod_iommufd_get_pasid_info): " : "", hostNote));
                }
                case PRI -> {
                    long capacity = priCapacity != null ? priCapacity : physical.map(s -> s.cs().u32(s.offset()
                            + Synthesizers.PRI_CAPACITY) & 0xFFFF_FFFFL).orElse((long) DEFAULT_PRI_CAPACITY);
                    boolean pasidRequired = physical.map(s -> (s.cs().u16(s.offset() + Synthesizers.PRI_STATUS)
                            & Synthesizers.PRI_PASID_REQUIRED) != 0).orElse(requested.contains(SyntheticCapability.PASID));
                    defs.put(c, Synthesizers.pri((int) capacity, pasidRequired));
                    notes.put(c, String.format("capacity %d, PRG Response PASID Required%s (%s)", capacity,
                            pasidRequired ? "+" : "-", physical.map(s -> s.whose() + " physical PRI").orElse("no physical"
                                    + " PRI")));
                }
                case ATS -> {
                    int cap = physical.map(s -> s.cs().u16(s.offset() + Synthesizers.ATS_CAPABILITY)).orElse(0);
                    int depth = atsQueueDepth != null ? atsQueueDepth : cap & Synthesizers.ATS_QUEUE_DEPTH_MASK;
                    boolean pageAligned = physical.isEmpty() || (cap & Synthesizers.ATS_PAGE_ALIGNED) != 0;
                    boolean global = (cap & Synthesizers.ATS_GLOBAL_INVALIDATE) != 0;
                    defs.put(c, Synthesizers.ats(depth, pageAligned, global));
                    notes.put(c, String.format("queue depth %d, page aligned%s, global invalidate%s (%s)",
                            depth == 0 ? 32 : depth, pageAligned ? "+" : "-", global ? "+" : "-",
                            physical.map(s -> s.whose() + " physical ATS").orElse("no physical ATS")));
                }
                default -> throw new IllegalStateException(c.toString());
            }
        }
        return new Registers(defs, notes, withheld);
    }

    private static String sign(boolean on) {
        return on ? "+" : "-";
    }

    private record Source(ConfigSpace cs, int offset, String whose) {
    }

    private static Optional<Source> physical(ConfigSpace cs, CapabilityChain chain, SyntheticCapability c) {
        ExtendedCapability kind = c.kind();
        return chain.find(kind).map(Capability::offset).filter(off -> cs.captured(off, c.length()))
                .map(off -> new Source(cs, off, "the device's"));
    }
}
