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
 * {@code struct iommu_ioas_unmap} (IOMMU_IOAS_UNMAP; include/uapi/linux/iommufd.h, Linux 7.3):
 *
 * <pre>
 *  0 u32 size
 *  4 u32 ioas_id
 *  8 u64 iova
 * 16 u64 length   in: bytes to unmap (a superset of whole mappings); out: bytes unmapped
 * 24
 * </pre>
 */
public final class IommuIoasUnmap {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("size"),
            JAVA_INT.withName("ioas_id"),
            JAVA_LONG.withName("iova"),
            JAVA_LONG.withName("length")).withName("iommu_ioas_unmap");

    private static final VarHandle SIZE = LAYOUT.varHandle(groupElement("size"));
    private static final VarHandle IOAS_ID = LAYOUT.varHandle(groupElement("ioas_id"));
    private static final VarHandle IOVA = LAYOUT.varHandle(groupElement("iova"));
    private static final VarHandle LENGTH = LAYOUT.varHandle(groupElement("length"));

    private IommuIoasUnmap() {
    }

    public static MemorySegment request(Arena arena, int ioasId, long iova, long length) {
        MemorySegment s = arena.allocate(LAYOUT);
        SIZE.set(s, 0L, (int) LAYOUT.byteSize());
        IOAS_ID.set(s, 0L, ioasId);
        IOVA.set(s, 0L, iova);
        LENGTH.set(s, 0L, length);
        return s;
    }

    /** Bytes the kernel unmapped. */
    public static long length(MemorySegment s) {
        return (long) LENGTH.get(s, 0L);
    }
}
