package dev.vcap.linux.uapi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct vfio_device_bind_iommufd} (VFIO_DEVICE_BIND_IOMMUFD; include/uapi/linux/vfio.h,
 * Linux 7.3):
 *
 * <pre>
 *  0 u32 argsz
 *  4 u32 flags            VFIO_DEVICE_BIND_FLAG_TOKEN 1 (not in 6.12)
 *  8 s32 iommufd          the /dev/iommu descriptor
 * 12 u32 out_devid        out: the device's ID in that iommufd
 * 16 u64 token_uuid_ptr   with FLAG_TOKEN: a 16-byte VF token (UUID)
 * 24
 * </pre>
 *
 * The minimum {@code argsz} is the end of {@code out_devid} (16). Linux 6.12's structure ends there
 * and its handler copies 16 bytes whatever {@code argsz} says; 7.3 copies {@code argsz} bytes with
 * copy_struct_from_user. A request without a token passes 16, which both take; one with a token
 * passes 24.
 */
public final class VfioDeviceBindIommufd {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("argsz"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("iommufd"),
            JAVA_INT.withName("out_devid"),
            JAVA_LONG.withName("token_uuid_ptr")).withName("vfio_device_bind_iommufd");

    /** offsetofend(out_devid): the size Linux 6.12 knows, and the minimum. */
    public static final long MIN_SIZE = LAYOUT.byteOffset(groupElement("out_devid")) + 4;

    private static final VarHandle ARGSZ = LAYOUT.varHandle(groupElement("argsz"));
    private static final VarHandle FLAGS = LAYOUT.varHandle(groupElement("flags"));
    private static final VarHandle IOMMUFD = LAYOUT.varHandle(groupElement("iommufd"));
    private static final VarHandle OUT_DEVID = LAYOUT.varHandle(groupElement("out_devid"));
    private static final VarHandle TOKEN = LAYOUT.varHandle(groupElement("token_uuid_ptr"));

    private VfioDeviceBindIommufd() {
    }

    /**
     * @param token a 16-byte VF token, or null for none
     */
    public static MemorySegment request(Arena arena, int iommufd, MemorySegment token) {
        MemorySegment s = arena.allocate(LAYOUT);
        ARGSZ.set(s, 0L, (int) (token == null ? MIN_SIZE : LAYOUT.byteSize()));
        FLAGS.set(s, 0L, token == null ? 0 : VfioIoctls.BIND_FLAG_TOKEN);
        IOMMUFD.set(s, 0L, iommufd);
        TOKEN.set(s, 0L, token == null ? 0L : token.address());
        return s;
    }

    public static int outDevid(MemorySegment s) {
        return (int) OUT_DEVID.get(s, 0L);
    }
}
