package dev.vcap.linux;

import dev.vcap.host.HostException;
import dev.vcap.linux.sys.Fd;
import dev.vcap.linux.sys.Ioctl;
import dev.vcap.linux.sys.Libc;
import dev.vcap.linux.sys.SyscallException;
import dev.vcap.linux.uapi.VfioGroupStatus;
import dev.vcap.linux.uapi.VfioIoctls;
import dev.vcap.pci.config.PciAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A device opened through vfio's legacy group and container API, for kernels without the vfio cdev
 * (or without iommufd): container {@code /dev/vfio/vfio}, group {@code /dev/vfio/N}, then
 * VFIO_GROUP_GET_DEVICE_FD. Enough to read and write the config region, reset and query the device;
 * the iommufd calls (bind, attach) are refused by the kernel on such a descriptor (EINVAL: "only
 * allowed for cdev fds"). {@link #close()} closes device, group and container in that order, and a
 * failed open closes whatever it had opened.
 */
public final class LegacyVfio implements AutoCloseable {

    private final Fd container;
    private final Fd group;
    private final LinuxVfioDevice device;

    private LegacyVfio(Fd container, Fd group, LinuxVfioDevice device) {
        this.container = container;
        this.group = group;
        this.device = device;
    }

    /**
     * Opens {@code address} through its IOMMU group.
     *
     * @param devRoot where {@code vfio/vfio} and {@code vfio/N} are ({@code /dev})
     * @throws HostException the kernel's refusal (ENOENT without the group file, EBUSY when another
     *                       process has the group open or a function of the group has another driver)
     */
    public static LegacyVfio open(PciAddress address, int iommuGroup, String devRoot) {
        List<Fd> opened = new ArrayList<>(3);
        try {
            Fd container = Kernel.failing(() -> Fd.open(devRoot + "/vfio/vfio", Libc.O_RDWR), "vfio container");
            opened.add(container);
            String what = "IOMMU group " + iommuGroup + " of " + address;
            Fd group = Kernel.failing(() -> Fd.open(devRoot + "/vfio/" + iommuGroup, Libc.O_RDWR), what);
            opened.add(group);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment containerFd = arena.allocateFrom(ValueLayout.JAVA_INT, container.number());
                try {
                    ioctl(group, VfioIoctls.GROUP_SET_CONTAINER, containerFd, what);
                } catch (HostException e) {
                    MemorySegment status = VfioGroupStatus.request(arena);
                    ioctl(group, VfioIoctls.GROUP_GET_STATUS, status, what);
                    if ((VfioGroupStatus.flags(status) & VfioIoctls.GROUP_FLAGS_VIABLE) == 0) {
                        throw HostException.fromKernel(e.kernelCall().orElseThrow(), e.errno(), what
                                + ": the group is not viable (VFIO_GROUP_GET_STATUS): another function in it is"
                                + " bound to a driver other than vfio-pci");
                    }
                    throw e;
                }
                ioctl(container, VfioIoctls.SET_IOMMU, VfioIoctls.TYPE1V2_IOMMU, "vfio container, VFIO_TYPE1v2_IOMMU");
                MemorySegment name = arena.allocateFrom(address.toString());
                int deviceFd = ioctl(group, VfioIoctls.GROUP_GET_DEVICE_FD, name, address.toString());
                Fd device = Fd.adopt(deviceFd, "vfio device " + address + " of group " + iommuGroup);
                opened.add(device);
                return new LegacyVfio(container, group, new LinuxVfioDevice(address, device));
            }
        } catch (RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (SyscallException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** The device: config region, info, reset. */
    public LinuxVfioDevice device() {
        return device;
    }

    /** Closes device, group, container. */
    @Override
    public void close() {
        try {
            device.close();
        } finally {
            try {
                group.close();
            } finally {
                container.close();
            }
        }
    }

    private static int ioctl(Fd fd, Ioctl request, MemorySegment arg, String detail) {
        return (int) Kernel.call(detail, () -> fd.use(n -> Libc.ioctl(n, request, arg)));
    }

    private static int ioctl(Fd fd, Ioctl request, long arg, String detail) {
        return (int) Kernel.call(detail, () -> fd.use(n -> Libc.ioctl(n, request, arg)));
    }
}
