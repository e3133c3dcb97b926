package dev.vcap.host.sim;

import static dev.vcap.host.PciRegs.*;

import dev.vcap.host.Rule;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.config.PciAddress;

/**
 * The PCI core's view of a function ({@code struct pci_dev}) and the PASID, PRI and ATS helpers of
 * drivers/pci/ats.c, over a {@link SimFunction}'s registers. The rules for VFs:
 *
 * <ul>
 *   <li>PASID and PRI are the PF's, shared: enabling either on a VF only records it, and succeeds
 *       only when the PF has it enabled (else EINVAL); the VF's registers are never touched.</li>
 *   <li>ATS is per function, but a VF's smallest translation unit must equal the PF's (else EINVAL);
 *       the STU field is written on the PF only.</li>
 *   <li>Width, supported features, PRI support and PASID status of a VF are the PF's.</li>
 * </ul>
 *
 * Enabling PRI needs Stopped set (EBUSY otherwise); enabling anything twice is EBUSY; resetting PRI
 * while enabled is EBUSY. Not modelled: the End-End TLP Prefix path and ACS checks of
 * {@code pci_enable_pasid}.
 *
 * <p>Thread-safe: state changes are serialized on the PF (VFs share the PF's PASID and PRI).
 */
public final class SimPciDev {

    private final SimFunction fn;
    private final SimPciDev physfn;
    private final int vendor;
    private final int device;
    private final boolean intxMaskSupported;

    private boolean pasidEnabled;
    private int pasidFeatures;
    private boolean priEnabled;
    private int priReqsAlloc;
    private boolean atsEnabled;
    private int atsStu;
    private Object vfioOwner;

    /** A PF: vendor and device read from its registers. */
    SimPciDev(SimFunction fn) {
        this.fn = fn;
        this.physfn = null;
        this.vendor = fn.read(Header.VENDOR_ID, 2);
        this.device = fn.read(Header.DEVICE_ID, 2);
        this.intxMaskSupported = !intxMaskBroken(fn);
    }

    /** A VF: vendor from the PF, device from the PF's SR-IOV VF Device ID. */
    SimPciDev(SimFunction vf, SimPciDev pf) {
        this.fn = vf;
        this.physfn = pf;
        this.vendor = pf.vendor;
        this.device = VfDerivation.vfDeviceId(pf.fn);
        this.intxMaskSupported = !intxMaskBroken(vf);
    }

    /** drivers/pci/probe.c {@code pci_intx_mask_broken}: INTx Disable does not toggle. */
    private static boolean intxMaskBroken(SimFunction fn) {
        int orig = fn.read(Header.COMMAND, 2);
        int toggle = orig ^ COMMAND_INTX_DISABLE;
        fn.write(Header.COMMAND, 2, toggle);
        int now = fn.read(Header.COMMAND, 2);
        fn.write(Header.COMMAND, 2, orig);
        return now != toggle;
    }

    /** {@code pci_intx_mask_supported}: the function's INTx Disable bit is writable. */
    public boolean intxMaskSupported() {
        return intxMaskSupported;
    }

    public SimFunction function() {
        return fn;
    }

    public PciAddress address() {
        return fn.address();
    }

    public boolean isVirtfn() {
        return physfn != null;
    }

    /** {@code pci_physfn()}: the PF of a VF, else the function itself. */
    public SimPciDev physfn() {
        return physfn != null ? physfn : this;
    }

    /** {@code pdev->vendor}. */
    public int vendor() {
        return vendor;
    }

    /** {@code pdev->device}. */
    public int device() {
        return device;
    }

    private Object lock() {
        return physfn();
    }

    /** vfio's single-open rule for device files used through iommufd: one bound file at a time. */
    synchronized boolean claimVfio(Object file) {
        if (vfioOwner != null && vfioOwner != file) {
            return false;
        }
        vfioOwner = file;
        return true;
    }

    synchronized void releaseVfio(Object file) {
        if (vfioOwner == file) {
            vfioOwner = null;
        }
    }

    /** True while a vfio device file of this function is bound. */
    public synchronized boolean vfioBound() {
        return vfioOwner != null;
    }

    // ------------------------------------------------------------------ PASID

    /** {@code pci_enable_pasid}. */
    public void enablePasid(int features) {
        synchronized (lock()) {
            if (pasidEnabled) {
                throw Rule.PCI_ALREADY_ENABLED.fail("PASID is already enabled on " + address());
            }
            if (isVirtfn()) {
                if (!physfn.pasidEnabled) {
                    throw Rule.VF_PASID_NEEDS_PF.fail("VF " + address() + ": PASID is not enabled on its PF "
                            + physfn.address());
                }
                pasidEnabled = true;
                return;
            }
            int cap = fn.pasidCap();
            if (cap == 0) {
                throw Rule.PCI_CAPABILITY_ABSENT.fail(address() + " has no PASID capability");
            }
            int supported = fn.read(cap + PASID_CAP, 2) & (PASID_CAP_EXEC | PASID_CAP_PRIV);
            if ((supported & features) != features) {
                throw Rule.PASID_FEATURES_UNSUPPORTED.fail(String.format(
                        "%s: PASID features 0x%x requested, 0x%x supported", address(), features, supported));
            }
            pasidFeatures = features;
            fn.write(cap + PASID_CTRL, 2, PASID_CTRL_ENABLE | features);
            pasidEnabled = true;
        }
    }

    /** {@code pci_disable_pasid}. */
    public void disablePasid() {
        synchronized (lock()) {
            if (!pasidEnabled) {
                return;
            }
            pasidEnabled = false;
            if (!isVirtfn()) {
                fn.write(fn.pasidCap() + PASID_CTRL, 2, 0);
            }
        }
    }

    public boolean pasidEnabled() {
        synchronized (lock()) {
            return pasidEnabled;
        }
    }

    /** {@code pci_max_pasids}: 2^width of the PF's capability, or 0 without one. */
    public int maxPasids() {
        SimFunction pf = physfn().fn;
        if (pf.pasidCap() == 0) {
            return 0;
        }
        int width = (pf.read(pf.pasidCap() + PASID_CAP, 2) & PASID_CAP_WIDTH_MASK) >>> PASID_CAP_WIDTH_SHIFT;
        return 1 << Math.min(width, 20);
    }

    /** {@code pci_pasid_features}: Exec/Privileged the PF supports, or -1 without PASID. */
    public int pasidFeatures() {
        SimFunction pf = physfn().fn;
        if (pf.pasidCap() == 0) {
            return -1;
        }
        return pf.read(pf.pasidCap() + PASID_CAP, 2) & (PASID_CAP_EXEC | PASID_CAP_PRIV);
    }

    /** {@code pci_pasid_status}: Enable/Exec/Privileged as the PF's Control register reads now, or -1. */
    public int pasidStatus() {
        SimFunction pf = physfn().fn;
        if (pf.pasidCap() == 0) {
            return -1;
        }
        return pf.read(pf.pasidCap() + PASID_CTRL, 2) & (PASID_CTRL_ENABLE | PASID_CTRL_EXEC | PASID_CTRL_PRIV);
    }

    // ------------------------------------------------------------------ PRI

    /** {@code pci_pri_supported}: the PF has a PRI capability. */
    public boolean priSupported() {
        return physfn().fn.priCap() != 0;
    }

    /** {@code pci_enable_pri}. */
    public void enablePri(int reqs) {
        synchronized (lock()) {
            if (priEnabled) {
                throw Rule.PCI_ALREADY_ENABLED.fail("PRI is already enabled on " + address());
            }
            if (isVirtfn()) {
                if (!physfn.priEnabled) {
                    throw Rule.VF_PRI_NEEDS_PF.fail("VF " + address() + ": PRI is not enabled on its PF "
                            + physfn.address());
                }
                priEnabled = true;
                return;
            }
            int cap = fn.priCap();
            if (cap == 0) {
                throw Rule.PCI_CAPABILITY_ABSENT.fail(address() + " has no PRI capability");
            }
            if ((fn.read(cap + PRI_STATUS, 2) & PRI_STATUS_STOPPED) == 0) {
                throw Rule.PRI_NOT_STOPPED.fail(address() + ": PRI Status Stopped is clear; page requests are"
                        + " outstanding");
            }
            int max = fn.read(cap + PRI_MAX_REQ, 4);
            priReqsAlloc = Integer.compareUnsigned(reqs, max) < 0 ? reqs : max;
            fn.write(cap + PRI_ALLOC_REQ, 4, priReqsAlloc);
            fn.write(cap + PRI_CTRL, 2, PRI_CTRL_ENABLE);
            priEnabled = true;
        }
    }

    /** {@code pci_disable_pri}. */
    public void disablePri() {
        synchronized (lock()) {
            if (!priEnabled) {
                return;
            }
            priEnabled = false;
            if (!isVirtfn()) {
                int cap = fn.priCap();
                fn.write(cap + PRI_CTRL, 2, fn.read(cap + PRI_CTRL, 2) & ~PRI_CTRL_ENABLE);
            }
        }
    }

    /** {@code pci_reset_pri}: a no-op on a VF. */
    public void resetPri() {
        synchronized (lock()) {
            if (isVirtfn()) {
                return;
            }
            if (priEnabled) {
                throw Rule.PRI_RESET_WHILE_ENABLED.fail(address() + ": PRI is enabled; disable it before a reset");
            }
            int cap = fn.priCap();
            if (cap == 0) {
                throw Rule.PCI_CAPABILITY_ABSENT.fail(address() + " has no PRI capability");
            }
            fn.write(cap + PRI_CTRL, 2, PRI_CTRL_RESET);
        }
    }

    public boolean priEnabled() {
        synchronized (lock()) {
            return priEnabled;
        }
    }

    // ------------------------------------------------------------------ ATS

    /** {@code pci_ats_supported}: the function has an ATS capability. */
    public boolean atsSupported() {
        return fn.atsCap() != 0;
    }

    /**
     * {@code pci_enable_ats}.
     *
     * @param ps log2 of the smallest translation unit, at least 12
     */
    public void enableAts(int ps) {
        synchronized (lock()) {
            if (!atsSupported()) {
                throw Rule.PCI_CAPABILITY_ABSENT.fail(address() + " has no ATS capability");
            }
            if (atsEnabled) {
                throw Rule.PCI_ALREADY_ENABLED.fail("ATS is already enabled on " + address());
            }
            if (ps < ATS_MIN_STU) {
                throw Rule.ATS_STU_TOO_SMALL.fail(address() + ": STU 2^" + ps + " is below 4 KiB");
            }
            int ctrl = ATS_CTRL_ENABLE;
            if (isVirtfn()) {
                if (physfn.atsStu != ps) {
                    throw Rule.VF_ATS_STU_MISMATCH.fail(String.format("VF %s: STU 2^%d differs from the PF's %s",
                            address(), ps, physfn.atsStu == 0 ? "(not set)" : "2^" + physfn.atsStu));
                }
            } else {
                atsStu = ps;
                ctrl |= ps - ATS_MIN_STU;
            }
            fn.write(fn.atsCap() + ATS_CTRL, 2, ctrl);
            atsEnabled = true;
        }
    }

    /** {@code pci_disable_ats}. */
    public void disableAts() {
        synchronized (lock()) {
            if (!atsEnabled) {
                return;
            }
            int cap = fn.atsCap();
            fn.write(cap + ATS_CTRL, 2, fn.read(cap + ATS_CTRL, 2) & ~ATS_CTRL_ENABLE);
            atsEnabled = false;
        }
    }

    public boolean atsEnabled() {
        synchronized (lock()) {
            return atsEnabled;
        }
    }

    /** {@code pdev->ats_stu}: log2 of the STU the PF enabled ATS with (0: never). */
    public int atsStu() {
        synchronized (lock()) {
            return atsStu;
        }
    }

    // ------------------------------------------------------------------ reset

    /**
     * {@code pci_reset_function}: FLR with the PCI core's save and restore around it, which puts
     * back ATS ({@code pci_restore_ats_state}), PASID and PRI (on a PF) as the core had them.
     */
    public void resetFunction() {
        synchronized (lock()) {
            fn.flr();
            if (atsEnabled) {
                int ctrl = ATS_CTRL_ENABLE | (isVirtfn() ? 0 : atsStu - ATS_MIN_STU);
                fn.write(fn.atsCap() + ATS_CTRL, 2, ctrl);
            }
            if (!isVirtfn()) {
                if (pasidEnabled) {
                    fn.write(fn.pasidCap() + PASID_CTRL, 2, PASID_CTRL_ENABLE | pasidFeatures);
                }
                if (priEnabled) {
                    fn.write(fn.priCap() + PRI_ALLOC_REQ, 4, priReqsAlloc);
                    fn.write(fn.priCap() + PRI_CTRL, 2, PRI_CTRL_ENABLE);
                }
            }
        }
    }

    @Override
    public String toString() {
        return String.format("%s %04x:%04x%s", address(), vendor, device, isVirtfn() ? " (VF)" : "");
    }
}
