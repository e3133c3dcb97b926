package dev.vcap.host.sim;

import static dev.vcap.host.PciRegs.SRIOV_BAR;

import dev.vcap.host.ConfigRegion;
import dev.vcap.host.Iommufd;
import dev.vcap.host.Rule;
import dev.vcap.host.VfioDevice;
import dev.vcap.host.vfio.PasidOption;
import dev.vcap.host.vfio.VfioPciBackend;
import dev.vcap.host.vfio.VfioPciConfig;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.config.PciAddress;

/**
 * A simulated vfio-pci device file: vfio's config view ({@link VfioPciConfig}) and the
 * drivers/vfio/{device_cdev,iommufd}.c bookkeeping over {@link SimIommufd}, kept as vfio keeps it:
 * a flag for the RID ({@code vdev->iommufd_attached}) and an ida of the PASIDs attached through
 * the PASID flag ({@code vdev->pasids}). Attaching a recorded PASID is a replace; detaching an
 * unrecorded one, or a RID vfio did not attach, is a silent no-op; closing detaches every recorded
 * PASID, then the RID, then unbinds ({@code vfio_iommufd_physical_unbind}).
 *
 * <p>PASID 0 through the PASID flag is recorded in the ida like any PASID but is IOMMU_NO_PASID to
 * iommufd, so it attaches, replaces and detaches the RID. Because vfio's RID flag stays clear, a
 * plain RID attach after it is not a replace but a second attach, which iommufd refuses with
 * EBUSY, and a plain RID detach does nothing; the PASID-flag detach of 0, or closing, detaches it.
 *
 * <p>Every call runs under the device's IOMMU group lock, so attach, replace and detach are
 * linearizable per device (and so per (device, PASID)).
 */
public final class SimVfioDevice implements VfioDevice {

    private final SimPciDev pdev;
    private final SimIommu iommu;
    private final SimIommu.Device iommuDevice;
    private final SimIommu.Group group;
    private final boolean pasidOps;
    private final boolean pasidUapi;
    private final VfioPciConfig config;

    private SimIommufd ctx;
    private SimIommufd.Idev idev;
    private boolean ridAttached;
    private final PasidBitmap pasidAttached = new PasidBitmap(1 << 20);
    private boolean closed;

    SimVfioDevice(SimPciDev pdev, SimIommu iommu, SimIommu.Device iommuDevice, boolean pasidOps, boolean pasidUapi,
            PasidOption option) {
        this.pdev = pdev;
        this.iommu = iommu;
        this.iommuDevice = iommuDevice;
        this.group = iommuDevice.group();
        this.pasidOps = pasidOps;
        this.pasidUapi = pasidUapi;
        this.config = new VfioPciConfig(new Backend(), option);
    }

    @Override
    public PciAddress address() {
        return pdev.address();
    }

    @Override
    public VfioPciConfig config() {
        return config;
    }

    /** False also on a kernel before 6.15 ({@code pasidUapi(false)}), which has no PASID ops at all. */
    @Override
    public boolean pasidOpsSupported() {
        return pasidOps && pasidUapi;
    }

    @Override
    public boolean pasidFlagKnown() {
        return pasidUapi;
    }

    private void requirePasidFlag(String ioctl, String flag) {
        if (!pasidUapi) {
            throw Rule.UNKNOWN_FLAGS.fail(ioctl + ": " + flag + " is an unknown flag before Linux 6.15");
        }
    }

    /** The PCI core's view of the function. */
    public SimPciDev pciDev() {
        return pdev;
    }

    /** The IOMMU's view of the function (its translation entries). */
    public SimIommu.Device iommuDevice() {
        return iommuDevice;
    }

    /** The device's {@code dev_id} in its iommufd, or 0 when not bound. */
    public int devId() {
        synchronized (group) {
            return idev == null ? 0 : idev.id;
        }
    }

    @Override
    public int bind(Iommufd iommufd) {
        if (!(iommufd instanceof SimIommufd sim) || sim.iommu() != iommu) {
            throw new IllegalArgumentException("a simulated device binds to an iommufd of the same simulated host");
        }
        synchronized (group) {
            requireOpen();
            if (idev != null) {
                throw Rule.ALREADY_BOUND.fail(address() + " is already bound to an iommufd (dev_id " + idev.id + ")");
            }
            if (!pdev.claimVfio(this)) {
                throw Rule.ALREADY_BOUND.fail(address() + " is bound through another device file");
            }
            try {
                idev = sim.bind(iommuDevice);
            } catch (RuntimeException e) {
                pdev.releaseVfio(this);
                throw e;
            }
            ctx = sim;
            return idev.id;
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(address() + ": device file is closed");
        }
    }

    private void requireBound(String what) {
        requireOpen();
        if (idev == null) {
            throw Rule.NOT_BOUND.fail(what + " on " + address() + " before VFIO_DEVICE_BIND_IOMMUFD");
        }
    }

    @Override
    public int attachPt(int ptId) {
        synchronized (group) {
            requireBound("VFIO_DEVICE_ATTACH_IOMMUFD_PT");
            if (ridAttached) {
                return ctx.replace(idev, 0, ptId);
            }
            int hwpt = ctx.attach(idev, 0, ptId);
            ridAttached = true;
            return hwpt;
        }
    }

    @Override
    public int attachPasidPt(int pasid, int ptId) {
        synchronized (group) {
            requireBound("VFIO_DEVICE_ATTACH_IOMMUFD_PT");
            requirePasidFlag("VFIO_DEVICE_ATTACH_IOMMUFD_PT", "VFIO_DEVICE_ATTACH_PASID");
            if (!pasidOps) {
                throw Rule.PASID_OPS_MISSING.fail(address() + ": the driver has no pasid_attach_ioas");
            }
            // vfio_iommufd_physical_pasid_attach_ioas
            if (pasidAttached.contains(pasid)) {
                return ctx.replace(idev, pasid, ptId);
            }
            if (pasid < 0) {
                throw Rule.PASID_ABOVE_INT_MAX.fail("PASID " + Integer.toUnsignedString(pasid)
                        + " is beyond the ida's INT_MAX; vfio refuses it before iommufd sees it");
            }
            int hwpt = ctx.attach(idev, pasid, ptId);
            pasidAttached.add(pasid);
            return hwpt;
        }
    }

    @Override
    public void detachPt() {
        synchronized (group) {
            requireBound("VFIO_DEVICE_DETACH_IOMMUFD_PT");
            if (!ridAttached) {
                return;
            }
            ctx.detach(idev, 0);
            ridAttached = false;
        }
    }

    @Override
    public void detachPasidPt(int pasid) {
        synchronized (group) {
            requireBound("VFIO_DEVICE_DETACH_IOMMUFD_PT");
            requirePasidFlag("VFIO_DEVICE_DETACH_IOMMUFD_PT", "VFIO_DEVICE_DETACH_PASID");
            if (!pasidOps) {
                throw Rule.PASID_OPS_MISSING.fail(address() + ": the driver has no pasid_detach_ioas");
            }
            if (!pasidAttached.contains(pasid)) {
                return;
            }
            ctx.detach(idev, pasid);
            pasidAttached.remove(pasid);
        }
    }

    /**
     * The HWPT attached to the RID (pasid 0) or a PASID, or 0: iommufd's answer, for what this file
     * attached (the RID also when attached as PASID 0 through the PASID flag).
     */
    public int attachedHwpt(int pasid) {
        synchronized (group) {
            if (idev == null) {
                return 0;
            }
            boolean recorded = pasidAttached.contains(pasid) || pasid == 0 && ridAttached;
            return recorded ? ctx.attached(idev, pasid) : 0;
        }
    }

    /** PASIDs vfio has recorded as attached through the PASID flag (0 among them when so attached). */
    public int attachedPasids() {
        synchronized (group) {
            return pasidAttached.count();
        }
    }

    @Override
    public void reset() {
        synchronized (group) {
            requireBound("VFIO_DEVICE_RESET");
            pdev.resetFunction();
        }
    }

    @Override
    public void close() {
        synchronized (group) {
            if (closed) {
                return;
            }
            if (idev != null) {
                pasidAttached.forEach(p -> {
                    ctx.detach(idev, p);
                    pasidAttached.remove(p);
                });
                if (ridAttached) {
                    ctx.detach(idev, 0);
                    ridAttached = false;
                }
                ctx.unbind(idev);
                pdev.releaseVfio(this);
                idev = null;
                ctx = null;
            }
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "vfio " + pdev;
    }

    /** What vfio_pci_config.c reaches through the PCI core and the IOMMU. */
    private final class Backend implements VfioPciBackend {

        @Override
        public ConfigRegion hardware() {
            return pdev.function();
        }

        @Override
        public ConfigRegion physfnHardware() {
            return pdev.physfn().function();
        }

        @Override
        public boolean isVirtfn() {
            return pdev.isVirtfn();
        }

        @Override
        public int vendor() {
            return pdev.vendor();
        }

        @Override
        public int device() {
            return pdev.device();
        }

        @Override
        public Resource[] resources() {
            SimFunction fn = pdev.function();
            long[] sizes = fn.barSizes();
            Resource[] r = new Resource[7];
            SimFunction regsOf = pdev.isVirtfn() ? pdev.physfn().function() : fn;
            int base = pdev.isVirtfn() ? regsOf.sriovCap() + SRIOV_BAR : Header.BAR0;
            for (int i = 0; i < 6; i++) {
                int reg = regsOf.read(base + 4 * i, 4);
                int flags = (reg & 1) != 0 ? Resource.IO : reg & (Resource.MEM_64 | Resource.PREFETCH);
                long addr = (reg & 1) != 0 ? reg & ~3L & 0xFFFF_FFFFL : reg & ~0xFL & 0xFFFF_FFFFL;
                boolean is64 = (reg & 1) == 0 && (reg & 6) == 4 && i < 5;
                if (is64) {
                    addr |= (long) regsOf.read(base + 4 * (i + 1), 4) << 32;
                }
                if (pdev.isVirtfn()) {
                    addr += sizes[i] * fn.vfIndex();
                }
                r[i] = sizes[i] != 0 && addr != 0 ? new Resource(addr, sizes[i], flags) : Resource.NONE;
                if (is64) {
                    r[++i] = Resource.NONE;
                }
            }
            long rom = pdev.isVirtfn() ? 0 : fn.read(Header.ROM_ADDRESS_TYPE0, 4) & 0xFFFF_F800L;
            r[6] = rom != 0 && sizes[6] != 0 ? new Resource(rom, sizes[6], 0) : Resource.NONE;
            return r;
        }

        @Override
        public boolean intxMaskSupported() {
            return pdev.intxMaskSupported();
        }

        @Override
        public void resetFunction() {
            pdev.resetFunction();
        }

        @Override
        public void setPowerState(int state) {
            SimFunction fn = pdev.function();
            int pm = pmCap(fn);
            if (pm != 0) {
                fn.write(pm + 4, 2, fn.read(pm + 4, 2) & ~3 | state & 3);
            }
        }

        @Override
        public int pasidWidth() {
            int max = iommuDevice.maxPasids();
            return max == 0 ? 0 : Integer.numberOfTrailingZeros(max);
        }
    }

    private static int pmCap(SimFunction fn) {
        int pos = fn.read(Header.CAPABILITIES_POINTER, 1) & 0xFC;
        for (int loops = 48; pos != 0 && loops > 0; loops--) {
            if (fn.read(pos, 1) == 0x01) {
                return pos;
            }
            pos = fn.read(pos + 1, 1) & 0xFC;
        }
        return 0;
    }
}
