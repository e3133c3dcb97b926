package dev.vcap.host.uapi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import dev.vcap.host.HwptAlloc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct iommu_hwpt_alloc} (IOMMU_HWPT_ALLOC, Linux 6.15):
 *
 * <pre>
 *  0 u32 size
 *  4 u32 flags          NEST_PARENT 1, DIRTY_TRACKING 2, FAULT_ID_VALID 4, PASID 8
 *  8 u32 dev_id
 * 12 u32 pt_id
 * 16 u32 out_hwpt_id
 * 20 u32 __reserved     must be 0 (EOPNOTSUPP)
 * 24 u32 data_type
 * 28 u32 data_len
 * 32 u64 data_uptr
 * 40 u32 fault_id       read with FAULT_ID_VALID
 * 44 u32 __reserved2
 * 48
 * </pre>
 *
 * The iommufd entry needs {@code size} of at least 24 (the end of {@code __reserved}), the size the
 * structure had before the data fields were added. {@code __reserved2} is padding the 6.15 handler
 * does not read; the codec writes it as 0 and ignores it on decode.
 */
public final class IommuHwptAlloc {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("size"),
            ValueLayout.JAVA_INT.withName("flags"),
            ValueLayout.JAVA_INT.withName("dev_id"),
            ValueLayout.JAVA_INT.withName("pt_id"),
            ValueLayout.JAVA_INT.withName("out_hwpt_id"),
            ValueLayout.JAVA_INT.withName("__reserved"),
            ValueLayout.JAVA_INT.withName("data_type"),
            ValueLayout.JAVA_INT.withName("data_len"),
            ValueLayout.JAVA_LONG.withName("data_uptr"),
            ValueLayout.JAVA_INT.withName("fault_id"),
            ValueLayout.JAVA_INT.withName("__reserved2")).withName("iommu_hwpt_alloc");

    /** IOCTL_OP minimum: offsetofend(__reserved). */
    public static final long MIN_SIZE = LAYOUT.byteOffset(groupElement("__reserved")) + 4;

    private static final long OUT_HWPT_ID_END = LAYOUT.byteOffset(groupElement("out_hwpt_id")) + 4;

    private static final VarHandle SIZE = LAYOUT.varHandle(groupElement("size"));
    private static final VarHandle FLAGS = LAYOUT.varHandle(groupElement("flags"));
    private static final VarHandle DEV_ID = LAYOUT.varHandle(groupElement("dev_id"));
    private static final VarHandle PT_ID = LAYOUT.varHandle(groupElement("pt_id"));
    private static final VarHandle OUT_HWPT_ID = LAYOUT.varHandle(groupElement("out_hwpt_id"));
    private static final VarHandle RESERVED = LAYOUT.varHandle(groupElement("__reserved"));
    private static final VarHandle DATA_TYPE = LAYOUT.varHandle(groupElement("data_type"));
    private static final VarHandle DATA_LEN = LAYOUT.varHandle(groupElement("data_len"));
    private static final VarHandle DATA_UPTR = LAYOUT.varHandle(groupElement("data_uptr"));
    private static final VarHandle FAULT_ID = LAYOUT.varHandle(groupElement("fault_id"));
    private static final VarHandle RESERVED2 = LAYOUT.varHandle(groupElement("__reserved2"));

    private IommuHwptAlloc() {
    }

    /**
     * Writes a full-size request; {@code data_uptr} is left 0 (the simulated host does not read it; a
     * real kernel's nested HWPT takes it from {@link #setDataUptr}).
     */
    public static void encode(MemorySegment dst, HwptAlloc r) {
        SIZE.set(dst, 0L, (int) LAYOUT.byteSize());
        FLAGS.set(dst, 0L, r.flags());
        DEV_ID.set(dst, 0L, r.devId());
        PT_ID.set(dst, 0L, r.ptId());
        OUT_HWPT_ID.set(dst, 0L, 0);
        RESERVED.set(dst, 0L, r.reserved());
        DATA_TYPE.set(dst, 0L, r.dataType());
        DATA_LEN.set(dst, 0L, r.dataLen());
        DATA_UPTR.set(dst, 0L, 0L);
        FAULT_ID.set(dst, 0L, r.faultId());
        RESERVED2.set(dst, 0L, 0);
    }

    /** Sets {@code data_uptr}: where the driver data ({@code data_len} bytes) of a nested HWPT is. */
    public static void setDataUptr(MemorySegment dst, long address) {
        DATA_UPTR.set(dst, 0L, address);
    }

    /** Copies the user structure in as the iommufd entry does (size rules), then reads the request. */
    public static HwptAlloc decode(MemorySegment user) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = UserBuffer.copyStructFromUser(user, MIN_SIZE, LAYOUT.byteSize(), arena,
                    LAYOUT.name().orElseThrow());
            return new HwptAlloc((int) FLAGS.get(k, 0L), (int) DEV_ID.get(k, 0L), (int) PT_ID.get(k, 0L),
                    (int) DATA_TYPE.get(k, 0L), (int) DATA_LEN.get(k, 0L), (int) FAULT_ID.get(k, 0L),
                    (int) RESERVED.get(k, 0L));
        }
    }

    /** The kernel's response: {@code out_hwpt_id}, copied back as far as the user's size reaches. */
    public static void respond(MemorySegment user, int hwptId) {
        long userSize = Integer.toUnsignedLong(user.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
        if (userSize >= OUT_HWPT_ID_END && user.byteSize() >= OUT_HWPT_ID_END) {
            user.set(ValueLayout.JAVA_INT_UNALIGNED, OUT_HWPT_ID_END - 4, hwptId);
        }
    }

    /** Reads {@code out_hwpt_id}. */
    public static int outHwptId(MemorySegment seg) {
        return (int) OUT_HWPT_ID.get(seg, 0L);
    }
}
