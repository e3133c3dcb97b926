package dev.vcap.linux;

import dev.vcap.host.ConfigRegion;
import dev.vcap.host.Errno;
import dev.vcap.host.HostException;
import dev.vcap.host.Iommufd;
import dev.vcap.host.VfioDevice;
import dev.vcap.host.uapi.VfioDeviceAttachIommufdPt;
import dev.vcap.host.uapi.VfioDeviceDetachIommufdPt;
import dev.vcap.linux.sys.Fd;
import dev.vcap.linux.sys.Ioctl;
import dev.vcap.linux.sys.Libc;
import dev.vcap.linux.sys.SyscallException;
import dev.vcap.linux.uapi.VfioDeviceBindIommufd;
import dev.vcap.linux.uapi.VfioDeviceInfo;
import dev.vcap.linux.uapi.VfioIoctls;
import dev.vcap.linux.uapi.VfioIrqInfo;
import dev.vcap.linux.uapi.VfioRegionInfo;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.PciAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A vfio device file on a real kernel: the cdev {@code /dev/vfio/devices/vfioN} (bound to an iommufd
 * with VFIO_DEVICE_BIND_IOMMUFD), or a device descriptor from the legacy group API
 * ({@link LegacyVfio}), which has no iommufd and refuses the bind and attach calls as the kernel
 * does. Every method is one or two ioctls; the kernel's refusals become
 * {@link HostException}s with its errno and the ioctl's name. Thread-safe: the kernel serializes
 * attach/detach per device (its dev_set lock) and the descriptor cannot close under a running call.
 *
 * <p>vfio refuses every device ioctl and region access of a cdev before it is bound (EINVAL):
 * {@link #config()} works after {@link #bind}.
 */
public final class LinuxVfioDevice implements VfioDevice {

    /** The PASID the bind-time probe detaches (never attached right after a bind: a no-op where supported). */
    static final int PROBE_PASID = 1;

    private final PciAddress address;
    private final Fd fd;
    private final Object lock = new Object();
    private int devId = -1;
    private PasidAttach pasidAttach = PasidAttach.NOT_PROBED;
    private VfioConfigRegion config;

    /** What the kernel answered to a PASID-flagged detach right after bind. */
    public enum PasidAttach {
        /** Not bound yet: the kernel refuses every device ioctl before the bind. */
        NOT_PROBED,
        /** Detach with VFIO_DEVICE_DETACH_PASID succeeded: the kernel and the driver do PASID attach. */
        SUPPORTED,
        /** EOPNOTSUPP: the kernel knows the flag, the driver has no pasid_attach_ioas/pasid_detach_ioas. */
        NO_DRIVER_OPS,
        /** EINVAL while the same detach without the flag succeeds: the flag is unknown (Linux before 6.15). */
        FLAG_UNKNOWN
    }

    LinuxVfioDevice(PciAddress address, Fd fd) {
        this.address = address;
        this.fd = fd;
    }

    /**
     * Opens a vfio cdev.
     *
     * @throws HostException ENOENT when the file is missing, EACCES without permission, EBUSY while
     *                       the group is open through the legacy API
     */
    public static LinuxVfioDevice open(PciAddress address, String path) {
        try {
            return new LinuxVfioDevice(address, Fd.open(path, Libc.O_RDWR));
        } catch (SyscallException e) {
            throw Kernel.failure(e, address.toString());
        }
    }

    @Override
    public PciAddress address() {
        return address;
    }

    /** The device file's name, for messages. */
    public String file() {
        return fd.name();
    }

    /**
     * VFIO_DEVICE_BIND_IOMMUFD without a VF token, then the PASID-attach probe (a PASID-flagged
     * detach of PASID 1, which nothing can have attached yet).
     */
    @Override
    public int bind(Iommufd iommufd) {
        return bind(iommufd, null);
    }

    /**
     * VFIO_DEVICE_BIND_IOMMUFD.
     *
     * @param token the 16-byte VF token the PF's user set, or null (a VF of a vfio-owned PF needs it:
     *              EACCES without)
     */
    public int bind(Iommufd iommufd, MemorySegment token) {
        if (!(iommufd instanceof LinuxIommufd linux)) {
            throw new IllegalArgumentException("a Linux vfio device binds to a LinuxIommufd, not "
                    + iommufd.getClass().getSimpleName());
        }
        synchronized (lock) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = VfioDeviceBindIommufd.request(arena, linux.fd().number(), token);
                linux.fd().use(ignored -> ioctl(VfioIoctls.DEVICE_BIND_IOMMUFD, s, address.toString()));
                devId = VfioDeviceBindIommufd.outDevid(s);
            }
            pasidAttach = probePasidAttach();
            return devId;
        }
    }

    private PasidAttach probePasidAttach() {
        try {
            detachPasidPt(PROBE_PASID);
            return PasidAttach.SUPPORTED;
        } catch (HostException flagged) {
            if (flagged.errno() == Errno.EOPNOTSUPP) {
                return PasidAttach.NO_DRIVER_OPS;
            }
            detachPt(); // the same call without the flag: succeeds on every kernel once bound
            return PasidAttach.FLAG_UNKNOWN;
        }
    }

    /** The {@code dev_id} of the bind, or -1 before it. */
    public int devId() {
        synchronized (lock) {
            return devId;
        }
    }

    /** What the bind-time probe found about PASID attach. */
    public PasidAttach pasidAttach() {
        synchronized (lock) {
            return pasidAttach;
        }
    }

    /** True when the bind-time probe found PASID attach supported; false before the bind. */
    @Override
    public boolean pasidOpsSupported() {
        return pasidAttach() == PasidAttach.SUPPORTED;
    }

    /** False when the bind-time probe found the PASID flag unknown (Linux before 6.15); true before the bind. */
    @Override
    public boolean pasidFlagKnown() {
        return pasidAttach() != PasidAttach.FLAG_UNKNOWN;
    }

    /** VFIO_DEVICE_GET_INFO. */
    public VfioDeviceInfo.Info info() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = VfioDeviceInfo.request(arena);
            ioctl(VfioIoctls.DEVICE_GET_INFO, s, address.toString());
            return VfioDeviceInfo.read(s);
        }
    }

    /** VFIO_DEVICE_GET_REGION_INFO. */
    public VfioRegionInfo.Region regionInfo(int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = VfioRegionInfo.request(arena, index);
            ioctl(VfioIoctls.DEVICE_GET_REGION_INFO, s, address + " region " + index);
            return VfioRegionInfo.read(s);
        }
    }

    /** VFIO_DEVICE_GET_IRQ_INFO. */
    public VfioIrqInfo.Irq irqInfo(int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = VfioIrqInfo.request(arena, index);
            ioctl(VfioIoctls.DEVICE_GET_IRQ_INFO, s, address + " IRQ index " + index);
            return VfioIrqInfo.read(s);
        }
    }

    /**
     * The config region, found with VFIO_DEVICE_GET_REGION_INFO the first time.
     *
     * @throws HostException EINVAL on a cdev that is not bound yet
     */
    @Override
    public ConfigRegion config() {
        return configRegion();
    }

    VfioConfigRegion configRegion() {
        synchronized (lock) {
            if (config == null) {
                config = new VfioConfigRegion(fd, regionInfo(VfioIoctls.PCI_CONFIG_REGION_INDEX), address.toString());
            }
            return config;
        }
    }

    /** The whole config region in one read: the bytes a VMM sees when it opens the device. */
    public ConfigSpace readConfig() {
        return configRegion().snapshot();
    }

    @Override
    public int attachPt(int ptId) {
        return attach(VfioDeviceAttachIommufdPt.request(ptId, null), "pt_id " + ptId);
    }

    @Override
    public int attachPasidPt(int pasid, int ptId) {
        return attach(VfioDeviceAttachIommufdPt.request(ptId, pasid), "pasid " + Integer.toUnsignedString(pasid)
                + ", pt_id " + ptId);
    }

    private int attach(VfioDeviceAttachIommufdPt.Args args, String detail) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(VfioDeviceAttachIommufdPt.LAYOUT);
            VfioDeviceAttachIommufdPt.encode(s, args);
            ioctl(VfioIoctls.DEVICE_ATTACH_IOMMUFD_PT, s, address + " " + detail);
            return VfioDeviceAttachIommufdPt.ptId(s);
        }
    }

    @Override
    public void detachPt() {
        detach(VfioDeviceDetachIommufdPt.request(null), "RID");
    }

    @Override
    public void detachPasidPt(int pasid) {
        detach(VfioDeviceDetachIommufdPt.request(pasid), "pasid " + Integer.toUnsignedString(pasid));
    }

    private void detach(VfioDeviceDetachIommufdPt.Args args, String detail) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(VfioDeviceDetachIommufdPt.LAYOUT);
            VfioDeviceDetachIommufdPt.encode(s, args);
            ioctl(VfioIoctls.DEVICE_DETACH_IOMMUFD_PT, s, address + " " + detail);
        }
    }

    /** VFIO_DEVICE_RESET. */
    @Override
    public void reset() {
        Kernel.call(address.toString(), () -> fd.use(n -> Libc.ioctl(n, VfioIoctls.DEVICE_RESET, 0L)));
    }

    /**
     * Enables {@code count} vectors of an interrupt index (MSI, MSI-X) with VFIO_DEVICE_SET_IRQS, each
     * signalling its own eventfd. Closing the result disables the index and closes the eventfds.
     */
    public IrqEventfds enableIrqs(int index, int count) {
        return IrqEventfds.enable(this, fd, index, count);
    }

    /** Closes the device file: the kernel detaches every PASID, then the RID, and unbinds. Idempotent. */
    @Override
    public void close() {
        Kernel.call(address.toString(), () -> {
            fd.close();
            return 0;
        });
    }

    private long ioctl(Ioctl request, MemorySegment arg, String detail) {
        return Kernel.call(detail, () -> fd.use(n -> Libc.ioctl(n, request, arg)));
    }

    @Override
    public String toString() {
        return address + " (" + fd.name() + ")";
    }
}
