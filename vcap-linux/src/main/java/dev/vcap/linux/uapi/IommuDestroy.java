package dev.vcap.linux.uapi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct iommu_destroy} (IOMMU_DESTROY; include/uapi/linux/iommufd.h, Linux 7.3):
 *
 * <pre>
 *  0 u32 size
 *  4 u32 id     any destroyable object: IOAS, HWPT, fault queue, ...
 *  8
 * </pre>
 */
public final class IommuDestroy {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("size"),
            JAVA_INT.withName("id")).withName("iommu_destroy");

    private static final VarHandle SIZE = LAYOUT.varHandle(groupElement("size"));
    private static final VarHandle ID = LAYOUT.varHandle(groupElement("id"));

    private IommuDestroy() {
    }

    public static MemorySegment request(Arena arena, int id) {
        MemorySegment s = arena.allocate(LAYOUT);
        SIZE.set(s, 0L, (int) LAYOUT.byteSize());
        ID.set(s, 0L, id);
        return s;
    }
}
