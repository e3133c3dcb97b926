package dev.vcap.linux;

import dev.vcap.host.HwInfo;
import dev.vcap.host.HwptAlloc;
import dev.vcap.host.Iommufd;
import dev.vcap.host.uapi.IommuHwInfo;
import dev.vcap.host.uapi.IommuHwptAlloc;
import dev.vcap.linux.sys.Fd;
import dev.vcap.linux.sys.Ioctl;
import dev.vcap.linux.sys.Libc;
import dev.vcap.linux.sys.SyscallException;
import dev.vcap.linux.uapi.IommuDestroy;
import dev.vcap.linux.uapi.IommuFaultAlloc;
import dev.vcap.linux.uapi.IommuIoasAlloc;
import dev.vcap.linux.uapi.IommuIoasMap;
import dev.vcap.linux.uapi.IommuIoasUnmap;
import dev.vcap.linux.uapi.IommufdIoctls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An open {@code /dev/iommu}: the iommufd ioctls on a real kernel. Every call is one ioctl; a
 * refusal is a {@link dev.vcap.host.HostException} carrying the kernel's errno and the ioctl's name.
 * Thread-safe: the kernel serializes what needs it, and the descriptor cannot be closed under a
 * running call ({@link Fd}).
 */
public final class LinuxIommufd implements Iommufd {

    /** Where the kernel puts iommufd. */
    public static final String PATH = "/dev/iommu";

    private final Fd fd;
    /** Fault-queue descriptors IOMMU_FAULT_QUEUE_ALLOC returned, by object ID: closed on destroy and close. */
    private final Map<Integer, Fd> faultQueues = new ConcurrentHashMap<>();

    private LinuxIommufd(Fd fd) {
        this.fd = fd;
    }

    /**
     * Opens an iommufd context.
     *
     * @param path {@code /dev/iommu}, or another path to the same character device
     * @throws dev.vcap.host.HostException ENOENT without iommufd (CONFIG_IOMMUFD), EACCES without permission
     */
    public static LinuxIommufd open(String path) {
        try {
            return new LinuxIommufd(Fd.open(path, Libc.O_RDWR));
        } catch (SyscallException e) {
            throw Kernel.failure(e, "iommufd");
        }
    }

    /** The descriptor, for VFIO_DEVICE_BIND_IOMMUFD. */
    Fd fd() {
        return fd;
    }

    @Override
    public int allocIoas() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = IommuIoasAlloc.request(arena);
            ioctl(IommufdIoctls.IOAS_ALLOC, s, "");
            return IommuIoasAlloc.outIoasId(s);
        }
    }

    @Override
    public int allocHwpt(HwptAlloc request) {
        return allocHwpt(request, MemorySegment.NULL);
    }

    /**
     * IOMMU_HWPT_ALLOC with driver data: {@code data} holds {@code request.dataLen()} bytes of the type
     * {@code request.dataType()} names (a nested HWPT's stage-1 description).
     */
    public int allocHwpt(HwptAlloc request, MemorySegment data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(IommuHwptAlloc.LAYOUT);
            IommuHwptAlloc.encode(s, request);
            IommuHwptAlloc.setDataUptr(s, data.address());
            ioctl(IommufdIoctls.HWPT_ALLOC, s, String.format("dev_id %d, pt_id %d, flags 0x%x", request.devId(),
                    request.ptId(), request.flags()));
            return IommuHwptAlloc.outHwptId(s);
        }
    }

    /** IOMMU_FAULT_QUEUE_ALLOC; the queue's descriptor is kept here and closed by {@link #destroy} or {@link #close}. */
    @Override
    public int allocFaultQueue() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = IommuFaultAlloc.request(arena);
            ioctl(IommufdIoctls.FAULT_QUEUE_ALLOC, s, "");
            int id = IommuFaultAlloc.outFaultId(s);
            faultQueues.put(id, Fd.adopt(IommuFaultAlloc.outFaultFd(s), "fault queue " + id));
            return id;
        }
    }

    @Override
    public HwInfo getHwInfo(int devId) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(IommuHwInfo.LAYOUT);
            IommuHwInfo.encode(s, IommuHwInfo.request(devId));
            ioctl(IommufdIoctls.GET_HW_INFO, s, "dev_id " + devId);
            return IommuHwInfo.readResponse(s);
        }
    }

    /** IOMMU_DESTROY; a fault queue's descriptor is closed first (it holds a reference on the object). */
    @Override
    public void destroy(int id) {
        Fd queue = faultQueues.remove(id);
        if (queue != null) {
            queue.close();
        }
        try (Arena arena = Arena.ofConfined()) {
            ioctl(IommufdIoctls.DESTROY, IommuDestroy.request(arena, id), "id " + id);
        }
    }

    /**
     * IOMMU_IOAS_MAP of {@code memory} (page-aligned, its length a multiple of the page size) at
     * {@code iova} (FIXED_IOVA), readable and writable by the device. The kernel pins the pages until
     * {@link #unmap}; the caller keeps {@code memory} alive that long.
     *
     * @return the IOVA the kernel mapped it at
     */
    public long map(int ioasId, MemorySegment memory, long iova) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = IommuIoasMap.request(arena, ioasId, IommufdIoctls.IOAS_MAP_FIXED_IOVA
                    | IommufdIoctls.IOAS_MAP_READABLE | IommufdIoctls.IOAS_MAP_WRITEABLE, memory, iova);
            ioctl(IommufdIoctls.IOAS_MAP, s, String.format("ioas %d, %d bytes at IOVA 0x%x", ioasId,
                    memory.byteSize(), iova));
            return IommuIoasMap.iova(s);
        }
    }

    /** IOMMU_IOAS_UNMAP; returns the bytes the kernel unmapped. */
    public long unmap(int ioasId, long iova, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = IommuIoasUnmap.request(arena, ioasId, iova, length);
            ioctl(IommufdIoctls.IOAS_UNMAP, s, String.format("ioas %d, %d bytes at IOVA 0x%x", ioasId, length, iova));
            return IommuIoasUnmap.length(s);
        }
    }

    private void ioctl(Ioctl request, MemorySegment arg, String detail) {
        Kernel.call(detail, () -> fd.use(n -> Libc.ioctl(n, request, arg)));
    }

    /** Closes every fault-queue descriptor, then the context (objects go with it). Idempotent. */
    @Override
    public void close() {
        try {
            faultQueues.values().forEach(Fd::close);
            faultQueues.clear();
        } finally {
            fd.close();
        }
    }
}
