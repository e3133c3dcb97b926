package dev.vcap.host.sim;

import dev.vcap.host.Rule;
import java.util.List;

/**
 * The simulated IOMMU: one hardware unit with its probe-time PCI setup, device groups, and per
 * device a RID entry and a PASID table sized by the device's width, each entry naming the domain
 * (HWPT ID) translating that PASID.
 *
 * <p>At probe (in address order, PFs before their VFs) the IOMMU enables ATS with the configured
 * smallest translation unit and, when it supports PASID and the function has it (a VF: when its PF
 * has it enabled), enables PASID with the Exec/Privileged features both sides support;
 * {@code max_pasids} is then {@code min(2^width, 2^maxPasidLog2)}, else 0.
 *
 * <p>The core rules of {@code iommu_attach_device_pasid} are {@link #checkAttachPasid}: a nested
 * domain on a PASID needs {@link Features#nestedPasid()} (EOPNOTSUPP, checked first); a PASID at or
 * beyond the {@code max_pasids} of a group member that can use PASID is EINVAL. A group whose
 * devices cannot use PASID takes any PASID as bookkeeping only.
 */
public final class SimIommu {

    /**
     * What the IOMMU supports.
     *
     * @param pasid         PASID (scalable mode)
     * @param maxPasidLog2  the IOMMU's PASID width (20 on VT-d)
     * @param pasidExec     Execute-permission PASID requests
     * @param pasidPriv     Privileged-mode PASID requests
     * @param dirtyTracking IOMMU_HW_CAP_DIRTY_TRACKING
     * @param nesting       nest-parent and nested domains
     * @param nestedPasid   nested domains on PASIDs
     * @param atsStu        log2 of the STU ATS is enabled with at probe
     */
    public record Features(boolean pasid, int maxPasidLog2, boolean pasidExec, boolean pasidPriv,
            boolean dirtyTracking, boolean nesting, boolean nestedPasid, int atsStu) {

        /** A VT-d-like IOMMU with everything on, 20-bit PASIDs, 4 KiB STU. */
        public static Features defaults() {
            return new Features(true, 20, true, true, true, true, true, 12);
        }

        public Features withPasid(boolean on) {
            return new Features(on, maxPasidLog2, pasidExec, pasidPriv, dirtyTracking, nesting, nestedPasid, atsStu);
        }

        public Features withDirtyTracking(boolean on) {
            return new Features(pasid, maxPasidLog2, pasidExec, pasidPriv, on, nesting, nestedPasid, atsStu);
        }

        public Features withNesting(boolean on, boolean onPasid) {
            return new Features(pasid, maxPasidLog2, pasidExec, pasidPriv, dirtyTracking, on, onPasid, atsStu);
        }

        public Features withAtsStu(int stu) {
            return new Features(pasid, maxPasidLog2, pasidExec, pasidPriv, dirtyTracking, nesting, nestedPasid, stu);
        }
    }

    /** An IOMMU group: devices the IOMMU cannot isolate from each other. */
    public static final class Group {
        private final int id;
        /** Members; replaced (never mutated) under the group lock, read without it. */
        volatile Device[] devices = new Device[0];
        /** The iommufd context that owns the group's DMA, while one does (guarded by this). */
        SimIommufd owner;
        int ownerRefs;
        /** iommufd's per-group attach table (igroup->pasid_attach): HWPT ID per PASID, RID at 0. */
        final PasidTable hwptByPasid = new PasidTable(1 << 20);
        int ridHwpt;
        /** Devices of the group bound to the owner context (guarded by this). */
        SimIommufd.Idev[] bound = new SimIommufd.Idev[0];

        Group(int id) {
            this.id = id;
        }

        public int id() {
            return id;
        }

        public List<Device> devices() {
            return List.of(devices);
        }

        /** The HWPT attached for a PASID (0 = the RID); 0 when none. Caller holds the group lock. */
        int hwptAt(int pasid) {
            if (pasid == 0) {
                return ridHwpt;
            }
            return hwptByPasid.get(pasid);
        }

        void setHwpt(int pasid, int hwpt) {
            if (pasid == 0) {
                ridHwpt = hwpt;
            } else {
                hwptByPasid.set(pasid, hwpt);
            }
        }

        /** PASIDs (not the RID) with an attachment. */
        int pasidAttachments() {
            return hwptByPasid.count();
        }

        @Override
        public String toString() {
            return "group " + id;
        }
    }

    /** A device as the IOMMU knows it ({@code dev->iommu}): its group, width and translation entries. */
    public static final class Device {
        private final SimPciDev pdev;
        private final Group group;
        private final int maxPasids;
        private int ridDomain;
        private final PasidTable pasidTable;

        Device(SimPciDev pdev, Group group, int maxPasids) {
            this.pdev = pdev;
            this.group = group;
            this.maxPasids = maxPasids;
            this.pasidTable = new PasidTable(maxPasids);
        }

        public SimPciDev pciDev() {
            return pdev;
        }

        public Group group() {
            return group;
        }

        /** {@code dev->iommu->max_pasids}: 0 when the device cannot use PASID. */
        public int maxPasids() {
            return maxPasids;
        }

        /** The domain translating requests without PASID (0: blocked). */
        public int ridDomain() {
            synchronized (group) {
                return ridDomain;
            }
        }

        /** The domain translating a PASID (0: none). */
        public int pasidDomain(int pasid) {
            synchronized (group) {
                return pasid > 0 && pasid < maxPasids ? pasidTable.get(pasid) : 0;
            }
        }

        /** PASID table entries in use. */
        public int pasidEntries() {
            synchronized (group) {
                return pasidTable.count();
            }
        }
    }

    /** Observes every change of a translation entry, for tests and traces. */
    @FunctionalInterface
    public interface EntryListener {
        /** {@code pasid} 0 is the RID; {@code domain} 0 means the entry was cleared. */
        void changed(Device device, int pasid, int domain);
    }

    private final Features features;
    private volatile EntryListener listener;

    /** Installs a listener for entry changes (null removes it). */
    public void setEntryListener(EntryListener listener) {
        this.listener = listener;
    }

    private void notify(Device d, int pasid, int domain) {
        EntryListener l = listener;
        if (l != null) {
            l.changed(d, pasid, domain);
        }
    }

    public SimIommu(Features features) {
        this.features = features;
    }

    public Features features() {
        return features;
    }

    Group newGroup(int id) {
        return new Group(id);
    }

    /** Probes a function: PCI setup, then a {@link Device} in {@code group}. */
    Device probe(SimPciDev pdev, Group group) {
        if (pdev.atsSupported()) {
            try {
                pdev.enableAts(features.atsStu());
            } catch (dev.vcap.host.HostException e) {
                // a VF whose PF has another STU, or none: ATS stays off, as Linux leaves it
            }
        }
        int maxPasids = 0;
        int features = pdev.pasidFeatures();
        if (this.features.pasid() && features >= 0 && (pdev.isVirtfn() || pdev.function().pasidCap() != 0)) {
            int wanted = features & ((this.features.pasidExec() ? dev.vcap.host.PciRegs.PASID_CAP_EXEC : 0)
                    | (this.features.pasidPriv() ? dev.vcap.host.PciRegs.PASID_CAP_PRIV : 0));
            try {
                pdev.enablePasid(wanted);
                maxPasids = Math.min(pdev.maxPasids(), 1 << this.features.maxPasidLog2());
            } catch (dev.vcap.host.HostException e) {
                // a VF whose PF has no PASID enabled: no PASID for it
            }
        }
        Device d = new Device(pdev, group, maxPasids);
        synchronized (group) {
            Device[] grown = java.util.Arrays.copyOf(group.devices, group.devices.length + 1);
            grown[grown.length - 1] = d;
            group.devices = grown;
        }
        return d;
    }

    // ------------------------------------------------------------------ translation entries

    /** iommu_attach_group / replace: every device of the group translates its RID through {@code domain}. */
    void setGroupRid(Group g, int domain) {
        for (Device d : g.devices) {
            d.ridDomain = domain;
            notify(d, 0, domain);
        }
    }

    /**
     * The IOMMU core's checks of {@code iommu_attach_device_pasid} (Linux 6.15 and later), in its
     * order: a domain whose ops have no {@code set_dev_pasid} is EOPNOTSUPP before anything else —
     * here a nested domain on an IOMMU without {@link Features#nestedPasid()}; then a PASID at or
     * beyond the {@code max_pasids} of a group device is EINVAL, where a device that cannot use
     * PASID ({@code max_pasids} 0) is skipped ("Skip PASID validation for devices without PASID
     * capability", b3f6fcd8404f). PASID 0 never gets here: iommufd sends it down the RID path.
     */
    void checkAttachPasid(Group g, int pasid, boolean nested) {
        if (nested && !features.nestedPasid()) {
            throw Rule.PASID_DOMAIN_UNSUPPORTED.fail("a nested domain on this IOMMU has no set_dev_pasid");
        }
        for (Device d : g.devices) {
            if (d.maxPasids > 0 && Integer.compareUnsigned(pasid, d.maxPasids) >= 0) {
                throw Rule.PASID_BEYOND_WIDTH.fail(String.format("PASID %s is beyond %s's %d PASIDs (width %d)",
                        Integer.toUnsignedString(pasid), d.pdev.address(), d.maxPasids,
                        Integer.numberOfTrailingZeros(d.maxPasids)));
            }
        }
    }

    /**
     * {@code __iommu_set_group_pasid} / {@code __iommu_remove_group_pasid} after the checks: points
     * the PASID entry of every group device that can use PASID at {@code domain} (0 removes it). A
     * device with {@code max_pasids} 0 is skipped — the attachment is then iommufd's and the core's
     * bookkeeping only, and nothing reaches the IOMMU.
     */
    void setGroupPasid(Group g, int pasid, int domain) {
        for (Device d : g.devices) {
            if (pasid < d.maxPasids) {
                d.pasidTable.set(pasid, domain);
                notify(d, pasid, domain);
            }
        }
    }

    /** True when some device of the group can use PASID: only then does a PASID attach reach the driver. */
    static boolean anyPasidCapable(Group g) {
        for (Device d : g.devices) {
            if (d.maxPasids > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Enables I/O page faults (PRI) for a device: the first fault-capable domain turns PRI on.
     *
     * @throws dev.vcap.host.HostException ENODEV without PRI; the PCI core's errors (EBUSY when PRI
     *                                     is not Stopped)
     */
    void enableIopf(Device d) {
        if (!d.pdev.priSupported()) {
            throw Rule.FAULT_HWPT_WITHOUT_PRI.fail(d.pdev.address() + " has no PRI: I/O page faults cannot be enabled");
        }
        d.pdev.enablePri(32);
    }

    void disableIopf(Device d) {
        d.pdev.disablePri();
    }
}
