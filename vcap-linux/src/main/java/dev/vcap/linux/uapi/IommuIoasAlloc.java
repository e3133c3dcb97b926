package dev.vcap.linux.uapi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct iommu_ioas_alloc} (IOMMU_IOAS_ALLOC; include/uapi/linux/iommufd.h, Linux 7.3):
 *
 * <pre>
 *  0 u32 size
 *  4 u32 flags         must be 0
 *  8 u32 out_ioas_id
 * 12
 * </pre>
 */
public final class IommuIoasAlloc {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("size"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("out_ioas_id")).withName("iommu_ioas_alloc");

    private static final VarHandle SIZE = LAYOUT.varHandle(groupElement("size"));
    private static final VarHandle OUT_IOAS_ID = LAYOUT.varHandle(groupElement("out_ioas_id"));

    private IommuIoasAlloc() {
    }

    public static MemorySegment request(Arena arena) {
        MemorySegment s = arena.allocate(LAYOUT);
        SIZE.set(s, 0L, (int) LAYOUT.byteSize());
        return s;
    }

    public static int outIoasId(MemorySegment s) {
        return (int) OUT_IOAS_ID.get(s, 0L);
    }
}
