package dev.vcap.linux.uapi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct iommu_fault_alloc} (IOMMU_FAULT_QUEUE_ALLOC; include/uapi/linux/iommufd.h, Linux 7.3):
 *
 * <pre>
 *  0 u32 size
 *  4 u32 flags          must be 0
 *  8 u32 out_fault_id
 * 12 u32 out_fault_fd   a new descriptor the caller owns (page requests are read from it)
 * 16
 * </pre>
 */
public final class IommuFaultAlloc {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("size"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("out_fault_id"),
            JAVA_INT.withName("out_fault_fd")).withName("iommu_fault_alloc");

    private static final VarHandle SIZE = LAYOUT.varHandle(groupElement("size"));
    private static final VarHandle OUT_FAULT_ID = LAYOUT.varHandle(groupElement("out_fault_id"));
    private static final VarHandle OUT_FAULT_FD = LAYOUT.varHandle(groupElement("out_fault_fd"));

    private IommuFaultAlloc() {
    }

    public static MemorySegment request(Arena arena) {
        MemorySegment s = arena.allocate(LAYOUT);
        SIZE.set(s, 0L, (int) LAYOUT.byteSize());
        return s;
    }

    public static int outFaultId(MemorySegment s) {
        return (int) OUT_FAULT_ID.get(s, 0L);
    }

    public static int outFaultFd(MemorySegment s) {
        return (int) OUT_FAULT_FD.get(s, 0L);
    }
}
