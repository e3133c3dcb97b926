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
 * {@code struct iommu_ioas_map} (IOMMU_IOAS_MAP; include/uapi/linux/iommufd.h, Linux 7.3):
 *
 * <pre>
 *  0 u32 size
 *  4 u32 flags        FIXED_IOVA 1, WRITEABLE 2, READABLE 4
 *  8 u32 ioas_id
 * 12 u32 __reserved   must be 0
 * 16 u64 user_va      the user memory to map (pinned by the kernel)
 * 24 u64 length
 * 32 u64 iova         in with FIXED_IOVA; out: where it was placed
 * 40
 * </pre>
 */
public final class IommuIoasMap {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("size"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("ioas_id"),
            JAVA_INT.withName("__reserved"),
            JAVA_LONG.withName("user_va"),
            JAVA_LONG.withName("length"),
            JAVA_LONG.withName("iova")).withName("iommu_ioas_map");

    private static final VarHandle SIZE = LAYOUT.varHandle(groupElement("size"));
    private static final VarHandle FLAGS = LAYOUT.varHandle(groupElement("flags"));
    private static final VarHandle IOAS_ID = LAYOUT.varHandle(groupElement("ioas_id"));
    private static final VarHandle USER_VA = LAYOUT.varHandle(groupElement("user_va"));
    private static final VarHandle LENGTH = LAYOUT.varHandle(groupElement("length"));
    private static final VarHandle IOVA = LAYOUT.varHandle(groupElement("iova"));

    private IommuIoasMap() {
    }

    /** Maps all of {@code memory}; {@code flags} without FIXED_IOVA lets the kernel choose the IOVA. */
    public static MemorySegment request(Arena arena, int ioasId, int flags, MemorySegment memory, long iova) {
        MemorySegment s = arena.allocate(LAYOUT);
        SIZE.set(s, 0L, (int) LAYOUT.byteSize());
        FLAGS.set(s, 0L, flags);
        IOAS_ID.set(s, 0L, ioasId);
        USER_VA.set(s, 0L, memory.address());
        LENGTH.set(s, 0L, memory.byteSize());
        IOVA.set(s, 0L, iova);
        return s;
    }

    public static long iova(MemorySegment s) {
        return (long) IOVA.get(s, 0L);
    }
}
