package dev.vcap.host.sim;

import dev.vcap.host.HostException;
import dev.vcap.host.HwInfo;
import dev.vcap.host.HwptAlloc;
import dev.vcap.host.Iommufd;
import dev.vcap.host.Rule;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * A simulated {@code /dev/iommu} context with the object, allocation and attach rules of Linux 6.15
 * (drivers/iommu/iommufd/{main,hw_pagetable,device}.c). Objects get IDs from 1 upward and IDs are
 * not reused. Attach state lives per IOMMU group, as in iommufd ({@code igroup->pasid_attach}): one
 * HWPT per PASID (the RID is PASID 0) shared by the group's devices, each device joining it.
 *
 * <p>Thread-safety: object lookup is lock-free; every attach, replace and detach runs under the
 * lock of the device's IOMMU group (taken by the vfio device file), so operations on one device are
 * linearizable; object lifetimes use reference counts, so an attached HWPT cannot be destroyed.
 */
public final class SimIommufd implements Iommufd {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Obj[].class);
    private static final VarHandle REFS;

    static {
        try {
            REFS = MethodHandles.lookup().findVarHandle(Obj.class, "refs", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** An iommufd object; {@code refs} counts users (attachments, children, in-flight calls); -1 once destroyed. */
    abstract static class Obj {
        final int id;
        volatile int refs;

        Obj(int id) {
            this.id = id;
        }

        abstract String kind();

        final boolean tryGet() {
            for (;;) {
                int r = refs;
                if (r < 0) {
                    return false;
                }
                if (REFS.compareAndSet(this, r, r + 1)) {
                    return true;
                }
            }
        }

        final void get(int n) {
            REFS.getAndAdd(this, n);
        }

        final void put(int n) {
            REFS.getAndAdd(this, -n);
        }

        final boolean tryDestroy() {
            return REFS.compareAndSet(this, 0, -1);
        }
    }

    static final class Ioas extends Obj {
        /** Automatic domains made for devices attached to this IOAS (guarded by this). */
        final List<Hwpt> autoDomains = new ArrayList<>();

        Ioas(int id) {
            super(id);
        }

        @Override
        String kind() {
            return "IOAS";
        }
    }

    static final class FaultQueue extends Obj {
        FaultQueue(int id) {
            super(id);
        }

        @Override
        String kind() {
            return "fault queue";
        }
    }

    /** A HWPT: a paging domain on an IOAS, or a nested domain on a nest-parent HWPT. */
    static final class Hwpt extends Obj {
        final int flags;
        final Hwpt parent;
        final Ioas ioas;
        final FaultQueue fault;
        final boolean auto;

        Hwpt(int id, int flags, Hwpt parent, Ioas ioas, FaultQueue fault, boolean auto) {
            super(id);
            this.flags = flags;
            this.parent = parent;
            this.ioas = ioas;
            this.fault = fault;
            this.auto = auto;
        }

        boolean nested() {
            return parent != null;
        }

        boolean pasidCompat() {
            return (flags & HwptAlloc.PASID) != 0;
        }

        boolean faultCapable() {
            return fault != null;
        }

        boolean nestParent() {
            return (flags & HwptAlloc.NEST_PARENT) != 0;
        }

        @Override
        String kind() {
            return nested() ? "nested HWPT" : "paging HWPT";
        }
    }

    /** A bound device ({@code struct iommufd_device}). */
    static final class Idev extends Obj {
        final SimPciDev pdev;
        final SimIommu.Device iommu;
        final SimIommu.Group group;
        /** PASIDs this device has joined (the attach's device_array), guarded by the group lock. */
        final PasidBitmap members;
        boolean ridMember;
        int iopfEnabled;

        Idev(int id, SimIommu.Device iommu) {
            super(id);
            this.pdev = iommu.pciDev();
            this.iommu = iommu;
            this.group = iommu.group();
            this.members = new PasidBitmap(1 << 20);
        }

        boolean member(int pasid) {
            return pasid == 0 ? ridMember : members.contains(pasid);
        }

        @Override
        String kind() {
            return "device";
        }
    }

    private final SimIommu iommu;
    /** IOMMU_HWPT_ALLOC_PASID is a known flag (Linux 6.15 and later). */
    private final boolean pasidUapi;
    private final Object tableLock = new Object();
    private volatile Obj[] table = new Obj[64];
    private int nextId = 1;
    private boolean closed;

    SimIommufd(SimIommu iommu, boolean pasidUapi) {
        this.iommu = iommu;
        this.pasidUapi = pasidUapi;
    }

    // ------------------------------------------------------------------ object table

    private <T extends Obj> T insert(java.util.function.IntFunction<T> make) {
        synchronized (tableLock) {
            int id = nextId++;
            Obj[] t = table;
            if (id >= t.length) {
                t = java.util.Arrays.copyOf(t, t.length * 2);
                table = t;
            }
            T o = make.apply(id);
            SLOT.setRelease(t, id, o);
            return o;
        }
    }

    /** Live objects (IOAS, HWPT, fault queue, bound device): what a leak check counts. */
    public int objectCount() {
        synchronized (tableLock) {
            int n = 0;
            for (Obj o : table) {
                if (o != null) {
                    n++;
                }
            }
            return n;
        }
    }

    private void remove(Obj o) {
        synchronized (tableLock) {
            SLOT.setRelease(table, o.id, (Obj) null);
        }
    }

    private Obj lookup(int id) {
        Obj[] t = table;
        return id > 0 && id < t.length ? (Obj) SLOT.getAcquire(t, id) : null;
    }

    /** iommufd_get_object: the object with a short-term reference, or null. */
    private Obj acquire(int id) {
        Obj o = lookup(id);
        return o != null && o.tryGet() ? o : null;
    }

    private Idev acquireDevice(int devId) {
        Obj o = acquire(devId);
        if (o instanceof Idev d) {
            return d;
        }
        if (o != null) {
            release(o);
        }
        throw Rule.NO_SUCH_OBJECT.fail("no device with ID " + devId + " in this iommufd");
    }

    private void release(Obj o) {
        o.put(1);
        if (o instanceof Hwpt h && h.auto) {
            destroyAutoIfUnused(h);
        }
    }

    // ------------------------------------------------------------------ Iommufd

    @Override
    public int allocIoas() {
        return insert(Ioas::new).id;
    }

    @Override
    public int allocFaultQueue() {
        return insert(FaultQueue::new).id;
    }

    @Override
    public int allocHwpt(HwptAlloc r) {
        if (r.reserved() != 0) {
            throw Rule.HWPT_RESERVED.fail("IOMMU_HWPT_ALLOC: __reserved is 0x" + Integer.toHexString(r.reserved()));
        }
        if (r.dataType() == HwptAlloc.DATA_NONE && r.dataLen() != 0
                || r.dataType() != HwptAlloc.DATA_NONE && r.dataLen() == 0) {
            throw Rule.HWPT_DATA_MISMATCH.fail(String.format("IOMMU_HWPT_ALLOC: data_type %d with data_len %d",
                    r.dataType(), r.dataLen()));
        }
        Idev dev = acquireDevice(r.devId());
        try {
            Obj pt = acquire(r.ptId());
            if (pt == null) {
                throw Rule.HWPT_BAD_PT.fail("IOMMU_HWPT_ALLOC: pt_id " + r.ptId() + " does not exist");
            }
            try {
                return switch (pt) {
                    case Ioas ioas -> allocPaging(ioas, r).id;
                    case Hwpt parent when !parent.nested() -> allocNested(parent, r).id;
                    default -> throw Rule.HWPT_BAD_PT.fail("IOMMU_HWPT_ALLOC: pt_id " + r.ptId() + " is a "
                            + pt.kind() + ", not an IOAS or a paging HWPT");
                };
            } finally {
                release(pt);
            }
        } finally {
            release(dev);
        }
    }

    private Hwpt allocPaging(Ioas ioas, HwptAlloc r) {
        int flags = r.flags();
        int known = pasidUapi ? HwptAlloc.KNOWN_FLAGS : HwptAlloc.KNOWN_FLAGS & ~HwptAlloc.PASID;
        if ((flags & ~known) != 0) {
            throw Rule.HWPT_UNKNOWN_FLAGS.fail(String.format("paging HWPT: unknown flags 0x%x", flags & ~known));
        }
        if (r.dataLen() != 0) {
            throw Rule.HWPT_UNSUPPORTED.fail("paging HWPT: the IOMMU takes no driver data for a paging domain");
        }
        if ((flags & HwptAlloc.DIRTY_TRACKING) != 0 && !iommu.features().dirtyTracking()) {
            throw Rule.HWPT_UNSUPPORTED.fail("paging HWPT: the IOMMU has no dirty tracking");
        }
        if ((flags & HwptAlloc.FAULT_ID_VALID) != 0 && (flags & HwptAlloc.NEST_PARENT) != 0) {
            throw Rule.HWPT_FAULT_ON_NEST_PARENT.fail("paging HWPT: FAULT_ID_VALID with NEST_PARENT");
        }
        if ((flags & HwptAlloc.NEST_PARENT) != 0 && !iommu.features().nesting()) {
            throw Rule.HWPT_UNSUPPORTED.fail("paging HWPT: the IOMMU has no nesting");
        }
        FaultQueue fault = faultOf(r);
        ioas.get(1);
        return insert(id -> new Hwpt(id, flags, null, ioas, fault, false));
    }

    private Hwpt allocNested(Hwpt parent, HwptAlloc r) {
        int flags = r.flags();
        if ((flags & ~(HwptAlloc.FAULT_ID_VALID | (pasidUapi ? HwptAlloc.PASID : 0))) != 0) {
            throw Rule.HWPT_UNKNOWN_FLAGS.fail(String.format("nested HWPT: flags 0x%x; only FAULT_ID_VALID and PASID apply",
                    flags));
        }
        if (!iommu.features().nesting()) {
            throw Rule.HWPT_UNSUPPORTED.fail("nested HWPT: the IOMMU has no nesting");
        }
        if (parent.auto || !parent.nestParent()) {
            throw Rule.HWPT_PARENT_NOT_NEST_PARENT.fail("nested HWPT: parent " + parent.id
                    + (parent.auto ? " is an automatic domain" : " was not allocated with NEST_PARENT"));
        }
        FaultQueue fault = faultOf(r);
        parent.get(1);
        return insert(id -> new Hwpt(id, flags, parent, null, fault, false));
    }

    private FaultQueue faultOf(HwptAlloc r) {
        if ((r.flags() & HwptAlloc.FAULT_ID_VALID) == 0) {
            return null;
        }
        Obj o = lookup(r.faultId());
        if (!(o instanceof FaultQueue f) || !f.tryGet()) {
            throw Rule.NO_SUCH_OBJECT.fail("no fault queue with ID " + r.faultId());
        }
        return f; // keeps the reference: the HWPT uses the queue
    }

    @Override
    public HwInfo getHwInfo(int devId) {
        Idev d = acquireDevice(devId);
        try {
            long caps = iommu.features().dirtyTracking() ? HwInfo.CAP_DIRTY_TRACKING : 0;
            int log2 = 0;
            int max = d.iommu.maxPasids();
            if (max > 0) {
                log2 = Integer.numberOfTrailingZeros(max);
                int ctrl = d.pdev.pasidStatus();
                if (ctrl > 0 && (ctrl & dev.vcap.host.PciRegs.PASID_CTRL_EXEC) != 0) {
                    caps |= HwInfo.CAP_PCI_PASID_EXEC;
                }
                if (ctrl > 0 && (ctrl & dev.vcap.host.PciRegs.PASID_CTRL_PRIV) != 0) {
                    caps |= HwInfo.CAP_PCI_PASID_PRIV;
                }
            }
            return new HwInfo(HwInfo.TYPE_INTEL_VTD, 24, log2, caps);
        } finally {
            release(d);
        }
    }

    @Override
    public void destroy(int id) {
        Obj o = lookup(id);
        if (o == null) {
            throw Rule.NO_SUCH_OBJECT.fail("no object with ID " + id);
        }
        if (o instanceof Idev) {
            throw Rule.OBJECT_BUSY.fail("device " + id + " is owned by its vfio device file; close it to unbind");
        }
        if (o instanceof Hwpt h && h.auto) {
            synchronized (h.ioas) {
                destroyObject(o);
                h.ioas.autoDomains.remove(h);
            }
            return;
        }
        destroyObject(o);
    }

    private void destroyObject(Obj o) {
        if (!o.tryDestroy()) {
            throw Rule.OBJECT_BUSY.fail(o.kind() + " " + o.id + " is in use (" + o.refs + " users)");
        }
        remove(o);
        if (o instanceof Hwpt h) {
            if (h.ioas != null) {
                h.ioas.put(1);
            }
            if (h.parent != null) {
                h.parent.put(1);
            }
            if (h.fault != null) {
                h.fault.put(1);
            }
        }
    }

    private void destroyAutoIfUnused(Hwpt h) {
        synchronized (h.ioas) {
            if (h.refs == 0 && h.ioas.autoDomains.contains(h)) {
                destroyObject(h);
                h.ioas.autoDomains.remove(h);
            }
        }
    }

    /**
     * Closes the context. A bound device holds it (vfio's bind takes a reference on the iommufd
     * context); once none is bound, iommufd_fops_release destroys every object left.
     */
    @Override
    public void close() {
        synchronized (tableLock) {
            closed = true;
        }
        releaseIfUnused();
    }

    private void releaseIfUnused() {
        synchronized (tableLock) {
            if (!closed) {
                return;
            }
            for (Obj o : table) {
                if (o instanceof Idev) {
                    return;
                }
            }
            java.util.Arrays.fill(table, null);
        }
    }

    // ------------------------------------------------------------------ bind (vfio -> iommufd)

    /** iommufd_device_bind: claims the group's DMA for this context. */
    Idev bind(SimIommu.Device device) {
        SimIommu.Group g = device.group();
        synchronized (g) {
            if (g.owner != null && g.owner != this) {
                throw Rule.GROUP_OWNED_ELSEWHERE.fail(g + " of " + device.pciDev().address()
                        + " is owned by another iommufd");
            }
            g.owner = this;
            g.ownerRefs++;
            Idev d = insert(id -> new Idev(id, device));
            d.get(1); // the vfio device file holds the device object
            g.bound = java.util.Arrays.copyOf(g.bound, g.bound.length + 1);
            g.bound[g.bound.length - 1] = d;
            return d;
        }
    }

    /** iommufd_device_unbind: the caller detached everything first. */
    void unbind(Idev d) {
        synchronized (d.group) {
            if (--d.group.ownerRefs == 0) {
                d.group.owner = null;
            }
            d.group.bound = java.util.Arrays.stream(d.group.bound).filter(o -> o != d).toArray(Idev[]::new);
        }
        d.put(1);
        while (!d.tryDestroy()) {
            Thread.onSpinWait(); // an in-flight GET_HW_INFO still holds it
        }
        remove(d);
        releaseIfUnused();
    }

    // ------------------------------------------------------------------ attach / replace / detach
    // All under the group lock, held by the caller.

    /** iommufd_device_attach. */
    int attach(Idev d, int pasid, int ptId) {
        return changePt(d, pasid, ptId, false);
    }

    /** iommufd_device_replace. */
    int replace(Idev d, int pasid, int ptId) {
        return changePt(d, pasid, ptId, true);
    }

    /** iommufd_device_change_pt. */
    private int changePt(Idev d, int pasid, int ptId, boolean replace) {
        Obj pt = acquire(ptId);
        if (pt == null) {
            throw Rule.NO_SUCH_OBJECT.fail("pt_id " + ptId + " does not exist");
        }
        try {
            return switch (pt) {
                case Hwpt h -> {
                    if (replace) {
                        doReplace(d, pasid, h);
                    } else {
                        doAttach(d, pasid, h);
                    }
                    yield h.id;
                }
                case Ioas ioas -> autoGetDomain(d, pasid, ioas, replace);
                default -> throw Rule.PT_WRONG_TYPE.fail("pt_id " + ptId + " is a " + pt.kind()
                        + ", not an IOAS or a HWPT");
            };
        } finally {
            release(pt);
        }
    }

    /**
     * iommufd_device_auto_get_domain: reuse an automatic domain of the IOAS that takes the attach
     * (one that refuses with EINVAL is skipped, any other error ends the search), or make one.
     */
    private int autoGetDomain(Idev d, int pasid, Ioas ioas, boolean replace) {
        synchronized (ioas) {
            for (Hwpt h : List.copyOf(ioas.autoDomains)) {
                if (!h.tryGet()) {
                    continue;
                }
                try {
                    if (replace) {
                        doReplace(d, pasid, h);
                    } else {
                        doAttach(d, pasid, h);
                    }
                    return h.id;
                } catch (HostException e) {
                    if (e.errno() != dev.vcap.host.Errno.EINVAL) {
                        throw e;
                    }
                } finally {
                    release(h);
                }
            }
            // iommufd_hwpt_paging_alloc(..., flags 0, ...): an automatic domain is never
            // PASID-compatible, so a PASID attach given an IOAS fails iommufd_hwpt_pasid_compat
            ioas.get(1);
            Hwpt h = insert(id -> new Hwpt(id, 0, null, ioas, null, true));
            ioas.autoDomains.add(h);
            try {
                if (replace) {
                    doReplace(d, pasid, h);
                } else {
                    doAttach(d, pasid, h);
                }
            } finally {
                destroyAutoIfUnused(h);
            }
            return h.id;
        }
    }

    /** iommufd_hw_pagetable_attach. */
    private void doAttach(Idev d, int pasid, Hwpt h) {
        SimIommu.Group g = d.group;
        if (d.member(pasid)) {
            throw Rule.ALREADY_ATTACHED.fail(d.pdev.address() + (pasid == 0 ? " RID" : " PASID " + pasid)
                    + " is already attached");
        }
        int cur = g.hwptAt(pasid);
        if (cur != 0 && cur != h.id) {
            throw Rule.GROUP_ATTACHED_ELSEWHERE.fail(String.format("%s of %s has %s attached to HWPT %d, not %d",
                    g, d.pdev.address(), pasid == 0 ? "the RID" : "PASID " + pasid, cur, h.id));
        }
        if (cur == 0) {
            attachDevice(d, pasid, h);
            g.setHwpt(pasid, h.id);
        }
        h.get(1);
        if (pasid == 0) {
            d.ridMember = true;
        } else {
            d.members.add(pasid);
        }
    }

    /**
     * iommufd_hwpt_attach_device: the checks and the IOMMU programming of a group's first attach,
     * in the kernel's order — iommufd's device and PASID-compatibility checks, then the IOMMU core's
     * ({@code iommu_attach_device_pasid}: set_dev_pasid support, the width), then the driver
     * (which enables I/O page faults for a fault-capable domain).
     */
    private void attachDevice(Idev d, int pasid, Hwpt h) {
        checkCompatibleDevice(d, h);
        checkPasidCompat(d.group, pasid, h);
        if (pasid != 0) {
            iommu.checkAttachPasid(d.group, pasid, h.nested());
        }
        boolean iopf = h.faultCapable() && reachesDriver(d.group, pasid);
        if (iopf) {
            iopfEnable(d);
        }
        try {
            program(d.group, pasid, h);
        } catch (HostException e) {
            if (iopf) {
                iopfDisable(d);
            }
            throw e;
        }
    }

    /**
     * Whether an attachment of this PASID reaches the IOMMU driver: the RID always; a PASID only when
     * some device of the group can use PASID ({@code __iommu_set_group_pasid} skips the others).
     */
    private static boolean reachesDriver(SimIommu.Group g, int pasid) {
        return pasid == 0 || SimIommu.anyPasidCapable(g);
    }

    private void program(SimIommu.Group g, int pasid, Hwpt h) {
        if (pasid == 0) {
            iommu.setGroupRid(g, h.id);
        } else {
            iommu.setGroupPasid(g, pasid, h.id);
        }
    }

    /** iommufd_device_do_replace. */
    private void doReplace(Idev d, int pasid, Hwpt h) {
        SimIommu.Group g = d.group;
        int cur = g.hwptAt(pasid);
        if (cur == 0 || !d.member(pasid)) {
            throw Rule.NOT_ATTACHED.fail(d.pdev.address() + (pasid == 0 ? " RID" : " PASID " + pasid)
                    + " is not attached; nothing to replace");
        }
        if (cur == h.id) {
            return; // replacing with the attached HWPT is a no-op
        }
        Hwpt old = (Hwpt) lookup(cur);
        checkCompatibleDevice(d, h);
        checkPasidCompat(g, pasid, h);
        if (pasid != 0 && h.nested() && !iommu.features().nestedPasid()) {
            // iommu_replace_device_pasid: only the set_dev_pasid check, no width check
            throw Rule.PASID_DOMAIN_UNSUPPORTED.fail("a nested domain on this IOMMU has no set_dev_pasid");
        }
        boolean driver = reachesDriver(g, pasid);
        boolean enableIopf = driver && h.faultCapable() && !old.faultCapable();
        if (enableIopf) {
            iopfEnable(d);
        }
        try {
            program(g, pasid, h);
        } catch (HostException e) {
            if (enableIopf) {
                iopfDisable(d);
            }
            throw e;
        }
        if (driver && old.faultCapable() && !h.faultCapable()) {
            iopfDisable(d);
        }
        g.setHwpt(pasid, h.id);
        int members = membersOf(g, pasid);
        h.get(members);
        old.put(members);
        if (old.auto) {
            destroyAutoIfUnused(old);
        }
    }

    /**
     * iommufd_device_detach, which cannot fail: detaching what is not attached does nothing
     * ({@code iommufd_hw_pagetable_detach} finds no attach and returns NULL).
     */
    void detach(Idev d, int pasid) {
        SimIommu.Group g = d.group;
        int cur = g.hwptAt(pasid);
        if (cur == 0 || !d.member(pasid)) {
            return;
        }
        Hwpt h = (Hwpt) lookup(cur);
        if (pasid == 0) {
            d.ridMember = false;
        } else {
            d.members.remove(pasid);
        }
        if (membersOf(g, pasid) == 0) {
            if (pasid == 0) {
                iommu.setGroupRid(g, 0);
            } else {
                iommu.setGroupPasid(g, pasid, 0);
            }
            if (h.faultCapable() && reachesDriver(g, pasid)) {
                iopfDisable(d);
            }
            g.setHwpt(pasid, 0);
        }
        h.put(1);
        if (h.auto) {
            destroyAutoIfUnused(h);
        }
    }

    /** The HWPT attached for (device, PASID), or 0. */
    int attached(Idev d, int pasid) {
        return d.member(pasid) ? d.group.hwptAt(pasid) : 0;
    }

    private static int membersOf(SimIommu.Group g, int pasid) {
        int n = 0;
        for (Idev i : g.bound) {
            if (i.member(pasid)) {
                n++;
            }
        }
        return n;
    }

    /** iommufd_hwpt_compatible_device: no fault-capable HWPT on a VF whose PF has PRI. */
    private static void checkCompatibleDevice(Idev d, Hwpt h) {
        if (h.faultCapable() && d.pdev.isVirtfn() && d.pdev.priSupported()) {
            throw Rule.FAULT_HWPT_ON_VF_WITH_PF_PRI.fail(String.format(
                    "fault-capable HWPT %d on VF %s: its PF %s has PRI, which the VFs share", h.id, d.pdev.address(),
                    d.pdev.physfn().address()));
        }
    }

    /** iommufd_hwpt_pasid_compat. */
    private void checkPasidCompat(SimIommu.Group g, int pasid, Hwpt h) {
        if (pasid == 0) {
            if (!h.pasidCompat() && g.pasidAttachments() > 0) {
                throw Rule.PASID_COMPAT_REQUIRED.fail(String.format("HWPT %d is not PASID-compatible but %d PASIDs"
                        + " of %s are attached; the RID needs an IOMMU_HWPT_ALLOC_PASID domain", h.id,
                        g.pasidAttachments(), g));
            }
            return;
        }
        if (!h.pasidCompat()) {
            throw Rule.PASID_COMPAT_REQUIRED.fail("HWPT " + h.id + " was not allocated with IOMMU_HWPT_ALLOC_PASID");
        }
        if (g.ridHwpt != 0) {
            Obj rid = lookup(g.ridHwpt);
            if (rid instanceof Hwpt r && !r.pasidCompat()) {
                throw Rule.PASID_COMPAT_REQUIRED.fail("the RID of " + g + " is attached to HWPT " + r.id
                        + ", which is not PASID-compatible");
            }
        }
    }

    private void iopfEnable(Idev d) {
        if (d.pdev.isVirtfn() && d.pdev.priSupported()) {
            throw Rule.FAULT_HWPT_ON_VF_WITH_PF_PRI.fail("VF " + d.pdev.address() + ": its PF has PRI");
        }
        if (++d.iopfEnabled > 1) {
            return;
        }
        try {
            iommu.enableIopf(d.iommu);
        } catch (HostException e) {
            d.iopfEnabled--;
            throw e;
        }
    }

    private void iopfDisable(Idev d) {
        if (--d.iopfEnabled == 0) {
            iommu.disableIopf(d.iommu);
        }
    }

    SimIommu iommu() {
        return iommu;
    }
}
