package dev.vcap.vmm.viommu;

import dev.vcap.host.Errno;
import dev.vcap.host.HostException;
import dev.vcap.host.HwInfo;
import dev.vcap.host.HwptAlloc;
import dev.vcap.host.Iommufd;
import dev.vcap.host.VfioDevice;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.config.VmmEvent;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import dev.vcap.pci.capability.ExtendedCapability;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Turns the guest's vIOMMU programming into the host's PASID attach/replace/detach, for one
 * assigned device.
 *
 * <p>At start the device is bound to iommufd, an IOAS and a nest-parent, PASID-compatible paging
 * HWPT are allocated, and the RID is attached to it. Then:
 * <ul>
 * <li>the guest binds PASID N (writes a PASID-table entry): a nested HWPT over the parent, then
 * {@code attachPasidPt(N)}; binding an already bound PASID replaces (the old HWPT is destroyed
 * after the replace succeeds, and kept when it fails); unbinding detaches and destroys;</li>
 * <li>the guest clears PASID Enable in the synthesized capability: every PASID is detached;</li>
 * <li>an FLR or reset: every PASID detached and the synthesized registers reset; a guest write of
 * Initiate FLR does that, then VFIO_DEVICE_RESET;</li>
 * <li>ATS and PRI enables never reach hardware: they are recorded as vIOMMU state;</li>
 * <li>shutdown: every PASID, then the RID detached, every object destroyed, the device unbound.</li>
 * </ul>
 * Host refusals (a VF whose PF has PASID disabled, a fault-capable HWPT on a VF whose PF has PRI,
 * a PASID beyond the device's width) come back to the guest as {@link BindOutcome.Refused} with the
 * errno and the rule.
 */
public final class PasidBinder implements AutoCloseable {

    /** The vIOMMU-side state the guest set through config writes and its vIOMMU. */
    public record ViommuState(boolean pasidEnabled, boolean atsEnabled, int atsStu, boolean priEnabled,
            int priAllocation) {
        @Override
        public String toString() {
            return String.format("PASID %s, ATS %s, PRI %s", pasidEnabled ? "enabled" : "disabled",
                    atsEnabled ? "enabled (STU " + atsStu + ")" : "disabled",
                    (priEnabled ? "enabled" : "disabled") + " (allocation " + priAllocation + ")");
        }
    }

    private final VfioDevice device;
    private final Iommufd iommufd;
    private final VirtualConfigSpace vcs;
    private final VIommu viommu;
    private final Consumer<String> log;
    private final int devId;
    private final HwInfo hwInfo;
    private final int ioas;
    private final int parent;
    /** The IOMMU nests: {@link #parent} is a nest parent and each guest PASID gets a nested HWPT. */
    private final boolean nesting;
    private int faultQueue = -1;
    private final Map<Integer, Integer> hwptOf = new TreeMap<>();
    private final Map<Integer, GuestPasidEntry> entries = new TreeMap<>();
    private boolean pasidEnabled;
    private boolean atsEnabled;
    private int atsStu;
    private boolean priEnabled;
    private int priAllocation;
    private boolean closed;

    /**
     * Attaches the RID of a device the caller bound ({@code devId}; a vfio device file serves
     * nothing, its config region included, before it is bound, so the VMM binds before it builds the
     * config space) to a fresh nest-parent HWPT — or, on an IOMMU that cannot nest
     * (IOMMU_HWPT_ALLOC_NEST_PARENT is EOPNOTSUPP: QEMU's emulated VT-d, for one), to a paging HWPT,
     * PASID-compatible where the kernel knows IOMMU_HWPT_ALLOC_PASID.
     *
     * @param log one line per host call and decision, for the event log
     */
    public PasidBinder(VfioDevice device, int devId, Iommufd iommufd, VirtualConfigSpace vcs, VIommu viommu,
            Consumer<String> log) {
        this.device = device;
        this.iommufd = iommufd;
        this.vcs = vcs;
        this.viommu = viommu;
        this.log = log;
        this.devId = devId;
        this.hwInfo = iommufd.getHwInfo(devId);
        this.ioas = iommufd.allocIoas();
        int rid = -1;
        int ridFlags = 0;
        for (int flags : new int[] {HwptAlloc.NEST_PARENT | HwptAlloc.PASID, HwptAlloc.PASID, 0}) {
            try {
                rid = iommufd.allocHwpt(HwptAlloc.paging(devId, ioas, flags));
                ridFlags = flags;
                break;
            } catch (HostException e) {
                if (e.errno() != Errno.EOPNOTSUPP || flags == 0) {
                    throw e;
                }
                log.accept(String.format("IOMMU_HWPT_ALLOC with flags 0x%x: %s; trying without %s", flags, e.errno(),
                        (flags & HwptAlloc.NEST_PARENT) != 0 ? "NEST_PARENT" : "ALLOC_PASID"));
            }
        }
        this.parent = rid;
        this.nesting = (ridFlags & HwptAlloc.NEST_PARENT) != 0;
        device.attachPt(parent);
        log.accept(String.format("bound %s to iommufd as dev_id %d; GET_HW_INFO: max_pasid_log2 %d%s%s; RID attached to"
                + " %s HWPT %d on IOAS %d", device.address(), devId, hwInfo.maxPasidLog2(),
                hwInfo.has(HwInfo.CAP_PCI_PASID_EXEC) ? " EXEC" : "", hwInfo.has(HwInfo.CAP_PCI_PASID_PRIV) ? " PRIV" : "",
                nesting ? "nest-parent" : "paging", parent, ioas));
        vcs.addListener(this::onEvent);
    }

    /**
     * What the host supports for PASID: GET_HW_INFO's width and Exec/Priv, or nothing when the
     * kernel cannot attach PASIDs through vfio (no PASID ops, or a kernel before 6.15), whatever the
     * IOMMU reports.
     */
    public PasidSupport hostPasid() {
        if (!device.pasidOpsSupported()) {
            return PasidSupport.NONE;
        }
        return new PasidSupport(Math.min(hwInfo.maxPasidLog2(), PasidSupport.MAX_WIDTH),
                hwInfo.has(HwInfo.CAP_PCI_PASID_EXEC), hwInfo.has(HwInfo.CAP_PCI_PASID_PRIV));
    }

    /** Why the guest is offered no PASID, or null when it is. */
    public String whyNoPasid() {
        if (offered().supported()) {
            return null;
        }
        if (!device.pasidOpsSupported()) {
            return device.pasidFlagKnown() ? "the host's vfio driver has no PASID attach (no pasid_attach_ioas)"
                    : "the host kernel has no vfio PASID attach: VFIO_DEVICE_ATTACH_PASID is an unknown flag before"
                            + " Linux 6.15";
        }
        return "host width " + hwInfo.maxPasidLog2() + ", " + viommu.name() + " width " + viommu.pasid().width();
    }

    /** What the guest may be offered: the host's support and the vIOMMU's, intersected. */
    public PasidSupport offered() {
        return hostPasid().intersect(viommu.pasid());
    }

    public HwInfo hwInfo() {
        return hwInfo;
    }

    /** The guest wrote a PASID-table entry: attach, or replace when the PASID is bound. */
    public synchronized BindOutcome bind(GuestPasidEntry e) {
        String problem = guestProblem(e.pasid());
        if (problem != null) {
            log.accept("refused to bind PASID " + e.pasid() + ": " + problem);
            return new BindOutcome.Refused(e.pasid(), null, problem);
        }
        int hwpt;
        try {
            hwpt = iommufd.allocHwpt(nested(e.faultCapable()));
        } catch (HostException ex) {
            log.accept("IOMMU_HWPT_ALLOC for PASID " + e.pasid() + " failed: " + ex.getMessage());
            return new BindOutcome.Refused(e.pasid(), ex.errno(), ex.getMessage());
        }
        Integer old = hwptOf.get(e.pasid());
        try {
            device.attachPasidPt(e.pasid(), hwpt);
        } catch (HostException ex) {
            iommufd.destroy(hwpt);
            log.accept(String.format("attach of PASID %d refused by the host: %s%s", e.pasid(), ex.getMessage(), old == null ? "" : "; it stays on HWPT " + old));
            return new BindOutcome.Refused(e.pasid(), ex.errno(), ex.getMessage());
        }
        if (old != null) {
            iommufd.destroy(old);
        }
        hwptOf.put(e.pasid(), hwpt);
        entries.put(e.pasid(), e);
        log.accept(String.format("%s PASID %d to %s HWPT %d (stage-1 root 0x%x%s)", old == null ? "attached"
                : "replaced HWPT " + old + " of", e.pasid(), nesting ? "nested" : "paging", hwpt, e.stage1Root(),
                e.faultCapable() ? ", fault-capable" : ""));
        return new BindOutcome.Bound(e.pasid(), hwpt, old != null);
    }

    /** The guest cleared a PASID-table entry: detach. Detaching an unbound PASID is a no-op. */
    public synchronized BindOutcome.Unbound unbind(int pasid) {
        Integer hwpt = hwptOf.remove(pasid);
        entries.remove(pasid);
        device.detachPasidPt(pasid);
        if (hwpt != null) {
            iommufd.destroy(hwpt);
            log.accept("detached PASID " + pasid + " and destroyed HWPT " + hwpt);
        }
        return new BindOutcome.Unbound(pasid, hwpt != null);
    }

    /** Detaches every PASID. */
    public synchronized void detachAll(String why) {
        if (hwptOf.isEmpty()) {
            return;
        }
        List<Integer> pasids = new ArrayList<>(hwptOf.keySet());
        log.accept("detaching every PASID " + pasids + ": " + why);
        for (int pasid : pasids) {
            unbind(pasid);
        }
    }

    /** An FLR or device reset: every PASID detached, the synthesized registers back at reset. */
    public synchronized void reset() {
        detachAll("function reset");
        vcs.resetServed();
        pasidEnabled = false;
        atsEnabled = false;
        priEnabled = false;
        priAllocation = 0;
        log.accept("reset the synthesized PASID/PRI/ATS registers");
    }

    /** The PASID-table entries bound now, by PASID. */
    public synchronized Map<Integer, GuestPasidEntry> bindings() {
        return Collections.unmodifiableMap(new TreeMap<>(entries));
    }

    /** The HWPT attached to a PASID, or -1. */
    public synchronized int hwpt(int pasid) {
        return hwptOf.getOrDefault(pasid, -1);
    }

    public synchronized ViommuState state() {
        return new ViommuState(pasidEnabled, atsEnabled, atsStu, priEnabled, priAllocation);
    }

    /**
     * Re-reads the synthesized control registers after a migration restored them, so the
     * vIOMMU state matches what the guest last wrote.
     */
    public synchronized void resync() {
        vcs.layout().find(ExtendedCapability.PASID).ifPresent(p ->
                pasidEnabled = (vcs.read(p.offset() + Synthesizers.PASID_CONTROL, 2) & Synthesizers.PASID_ENABLE) != 0);
        vcs.layout().find(ExtendedCapability.ATS).ifPresent(a -> {
            int ctl = vcs.read(a.offset() + Synthesizers.ATS_CONTROL, 2);
            atsEnabled = (ctl & Synthesizers.ATS_ENABLE) != 0;
            atsStu = ctl & Synthesizers.ATS_STU_MASK;
        });
        vcs.layout().find(ExtendedCapability.PRI).ifPresent(r -> {
            priEnabled = (vcs.read(r.offset() + Synthesizers.PRI_CONTROL, 2) & Synthesizers.PRI_ENABLE) != 0;
            priAllocation = vcs.read(r.offset() + Synthesizers.PRI_ALLOCATION, 4);
        });
        log.accept("vIOMMU state from the restored registers: " + state());
    }

    private void onEvent(VmmEvent e) {
        switch (e) {
            case VmmEvent.PasidControl p -> {
                synchronized (this) {
                    pasidEnabled = p.enabled();
                }
                log.accept(String.format("guest %s PASID (Exec%s Priv%s); recorded, not sent to hardware",
                        p.enabled() ? "enabled" : "disabled", p.execute() ? "+" : "-", p.privileged() ? "+" : "-"));
                if (!p.enabled()) {
                    detachAll("the guest cleared PASID Enable");
                }
            }
            case VmmEvent.AtsControl a -> {
                synchronized (this) {
                    atsEnabled = a.enabled();
                    atsStu = a.smallestTranslationUnit();
                }
                log.accept(String.format("guest %s ATS (STU %d); vIOMMU state only, the host IOMMU driver owns the device's"
                        + " ATS enable", a.enabled() ? "enabled" : "disabled", a.smallestTranslationUnit()));
            }
            case VmmEvent.PriControl r -> {
                synchronized (this) {
                    priEnabled = r.enabled();
                }
                log.accept("guest " + (r.enabled() ? "enabled" : "disabled") + " PRI; vIOMMU state only, PRI follows"
                        + " fault-capable HWPTs on the host");
            }
            case VmmEvent.PriReset r -> log.accept("guest reset PRI; vIOMMU state only");
            case VmmEvent.FunctionLevelReset f -> {
                log.accept("guest initiated a function-level reset: every PASID detached, then VFIO_DEVICE_RESET");
                reset();
                device.reset();
            }
            case VmmEvent.PriAllocation r -> {
                synchronized (this) {
                    priAllocation = r.allocation();
                }
                log.accept("guest set the PRI allocation to " + r.allocation() + "; vIOMMU state only");
            }
        }
    }

    private String guestProblem(int pasid) {
        PasidSupport offered = offered();
        if (!offered.supported()) {
            return "the vIOMMU offers no PASID for this device (" + whyNoPasid() + ")";
        }
        if (vcs.layout().find(ExtendedCapability.PASID).isEmpty()) {
            return "the guest's config space has no PASID capability";
        }
        if (!pasidEnabled) {
            return "PASID Enable is clear in the device's PASID capability";
        }
        if (pasid <= 0 || pasid >= 1 << offered.width()) {
            return "PASID " + pasid + " is outside 1.." + ((1 << offered.width()) - 1);
        }
        return null;
    }

    /**
     * The HWPT a guest PASID is attached to: nested on the parent with the guest's stage-1 table; on
     * an IOMMU without nesting, a PASID-compatible paging HWPT on the IOAS (what a VMM without
     * nesting translates the guest's table into).
     */
    private HwptAlloc nested(boolean faultCapable) {
        if (faultCapable && faultQueue < 0) {
            faultQueue = iommufd.allocFaultQueue();
        }
        if (!nesting) {
            return faultCapable ? HwptAlloc.pagingWithFault(devId, ioas, HwptAlloc.PASID, faultQueue)
                    : HwptAlloc.paging(devId, ioas, HwptAlloc.PASID);
        }
        if (!faultCapable) {
            return HwptAlloc.nested(devId, parent, HwptAlloc.PASID);
        }
        return new HwptAlloc(HwptAlloc.PASID | HwptAlloc.FAULT_ID_VALID, devId, parent, HwptAlloc.DATA_VTD_S1, 24,
                faultQueue, 0);
    }

    /** Shutdown: every PASID, then the RID detached; every object destroyed; the device unbound. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        detachAll("shutdown");
        device.detachPt();
        iommufd.destroy(parent);
        if (faultQueue >= 0) {
            iommufd.destroy(faultQueue);
        }
        iommufd.destroy(ioas);
        device.close();
        log.accept("detached the RID, destroyed HWPT " + parent + " and IOAS " + ioas + ", unbound " + device.address());
    }

}
