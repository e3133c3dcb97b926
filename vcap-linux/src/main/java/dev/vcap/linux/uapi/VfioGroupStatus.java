package dev.vcap.linux.uapi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct vfio_group_status} (VFIO_GROUP_GET_STATUS; include/uapi/linux/vfio.h, Linux 7.3):
 *
 * <pre>
 *  0 u32 argsz
 *  4 u32 flags    out: VFIO_GROUP_FLAGS_VIABLE 1, VFIO_GROUP_FLAGS_CONTAINER_SET 2
 *  8
 * </pre>
 */
public final class VfioGroupStatus {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("argsz"),
            JAVA_INT.withName("flags")).withName("vfio_group_status");

    private static final VarHandle ARGSZ = LAYOUT.varHandle(groupElement("argsz"));
    private static final VarHandle FLAGS = LAYOUT.varHandle(groupElement("flags"));

    private VfioGroupStatus() {
    }

    public static MemorySegment request(Arena arena) {
        MemorySegment s = arena.allocate(LAYOUT);
        ARGSZ.set(s, 0L, (int) LAYOUT.byteSize());
        return s;
    }

    public static int flags(MemorySegment s) {
        return (int) FLAGS.get(s, 0L);
    }
}
