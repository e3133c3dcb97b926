package dev.vcap.kernel.uapi;

import dev.vcap.linux.sys.Fd;
import dev.vcap.linux.sys.Ioctl;
import dev.vcap.linux.sys.Libc;
import dev.vcap.linux.sys.SyscallException;
import dev.vcap.linux.uapi.IommuDestroy;
import dev.vcap.linux.uapi.IommuIoasAlloc;
import dev.vcap.linux.uapi.IommufdIoctls;
import dev.vcap.linux.uapi.VfioDeviceBindIommufd;
import dev.vcap.linux.uapi.VfioIoctls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.IntSupplier;

/** The real kernel: the device's vfio cdev and {@code /dev/iommu}, raw ioctls on the caller's bytes. */
final class KernelTarget implements UapiTarget {

    private final Fd iommufd;
    private final Fd device;

    KernelTarget(String cdev) {
        this.iommufd = Fd.open("/dev/iommu", Libc.O_RDWR);
        Fd dev;
        try {
            dev = Fd.open(cdev, Libc.O_RDWR);
        } catch (RuntimeException e) {
            iommufd.close();
            throw e;
        }
        this.device = dev;
    }

    private static int call(IntSupplier s) {
        try {
            return s.getAsInt();
        } catch (SyscallException e) {
            return -e.errno();
        }
    }

    private static int ioctl(Fd fd, Ioctl request, MemorySegment arg) {
        return call(() -> (int) fd.use(n -> Libc.ioctl(n, request, arg)));
    }

    @Override
    public int bind() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = VfioDeviceBindIommufd.request(arena, iommufd.number(), null);
            int r = ioctl(device, VfioIoctls.DEVICE_BIND_IOMMUFD, s);
            return r < 0 ? r : VfioDeviceBindIommufd.outDevid(s);
        }
    }

    @Override
    public int ioasAlloc() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = IommuIoasAlloc.request(arena);
            int r = ioctl(iommufd, IommufdIoctls.IOAS_ALLOC, s);
            return r < 0 ? r : IommuIoasAlloc.outIoasId(s);
        }
    }

    @Override
    public int hwptAlloc(MemorySegment arg) {
        return ioctl(iommufd, IommufdIoctls.HWPT_ALLOC, arg);
    }

    @Override
    public int attach(MemorySegment arg) {
        return ioctl(device, VfioIoctls.DEVICE_ATTACH_IOMMUFD_PT, arg);
    }

    @Override
    public int detach(MemorySegment arg) {
        return ioctl(device, VfioIoctls.DEVICE_DETACH_IOMMUFD_PT, arg);
    }

    @Override
    public int destroy(int id) {
        try (Arena arena = Arena.ofConfined()) {
            return ioctl(iommufd, IommufdIoctls.DESTROY, IommuDestroy.request(arena, id));
        }
    }

    @Override
    public void closeDevice() {
        device.close();
    }

    @Override
    public void close() {
        try {
            device.close();
        } finally {
            iommufd.close();
        }
    }
}
