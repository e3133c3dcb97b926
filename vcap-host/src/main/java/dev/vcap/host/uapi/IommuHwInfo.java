package dev.vcap.host.uapi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;

import dev.vcap.host.HwInfo;
import dev.vcap.host.Rule;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct iommu_hw_info} (IOMMU_GET_HW_INFO, Linux 6.15):
 *
 * <pre>
 *  0 u32 size
 *  4 u32 flags                  must be 0
 *  8 u32 dev_id
 * 12 u32 data_len               in: buffer length; out: the driver's length
 * 16 u64 data_uptr
 * 24 u32 out_data_type
 * 28 u8  out_max_pasid_log2     0: no PASID
 * 29 u8  __reserved[3]          must be 0
 * 32 u64 out_capabilities       DIRTY_TRACKING 1, PCI_PASID_EXEC 2, PCI_PASID_PRIV 4
 * 40
 * </pre>
 *
 * The iommufd entry needs {@code size} of at least 32 (the end of {@code __reserved}); the handler
 * refuses non-zero flags or reserved bytes with EOPNOTSUPP.
 */
public final class IommuHwInfo {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("size"),
            ValueLayout.JAVA_INT.withName("flags"),
            ValueLayout.JAVA_INT.withName("dev_id"),
            ValueLayout.JAVA_INT.withName("data_len"),
            ValueLayout.JAVA_LONG.withName("data_uptr"),
            ValueLayout.JAVA_INT.withName("out_data_type"),
            ValueLayout.JAVA_BYTE.withName("out_max_pasid_log2"),
            MemoryLayout.sequenceLayout(3, ValueLayout.JAVA_BYTE).withName("__reserved"),
            ValueLayout.JAVA_LONG.withName("out_capabilities")).withName("iommu_hw_info");

    /** IOCTL_OP minimum: offsetofend(__reserved). */
    public static final long MIN_SIZE = LAYOUT.byteOffset(groupElement("__reserved")) + 3;

    private static final VarHandle SIZE = LAYOUT.varHandle(groupElement("size"));
    private static final VarHandle FLAGS = LAYOUT.varHandle(groupElement("flags"));
    private static final VarHandle DEV_ID = LAYOUT.varHandle(groupElement("dev_id"));
    private static final VarHandle DATA_LEN = LAYOUT.varHandle(groupElement("data_len"));
    private static final VarHandle DATA_UPTR = LAYOUT.varHandle(groupElement("data_uptr"));
    private static final VarHandle OUT_DATA_TYPE = LAYOUT.varHandle(groupElement("out_data_type"));
    private static final VarHandle OUT_MAX_PASID_LOG2 = LAYOUT.varHandle(groupElement("out_max_pasid_log2"));
    private static final VarHandle RESERVED = LAYOUT.varHandle(groupElement("__reserved"), sequenceElement());
    private static final VarHandle OUT_CAPABILITIES = LAYOUT.varHandle(groupElement("out_capabilities"));

    /** The input fields. */
    public record Request(int size, int flags, int devId, int dataLen, long dataUptr, int reserved) {
    }

    private IommuHwInfo() {
    }

    /** A well-formed request for {@code devId} with no driver-data buffer. */
    public static Request request(int devId) {
        return new Request((int) LAYOUT.byteSize(), 0, devId, 0, 0, 0);
    }

    /** Writes the input fields; {@code reserved} fills the three reserved bytes, low byte first. */
    public static void encode(MemorySegment dst, Request r) {
        SIZE.set(dst, 0L, r.size());
        FLAGS.set(dst, 0L, r.flags());
        DEV_ID.set(dst, 0L, r.devId());
        DATA_LEN.set(dst, 0L, r.dataLen());
        DATA_UPTR.set(dst, 0L, r.dataUptr());
        for (int i = 0; i < 3; i++) {
            RESERVED.set(dst, 0L, (long) i, (byte) (r.reserved() >>> (8 * i)));
        }
    }

    /**
     * Copies the user structure in as the iommufd entry does and applies the handler's checks.
     *
     * @return the request, read from a zero-extended kernel copy
     */
    public static Request decode(MemorySegment user) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = UserBuffer.copyStructFromUser(user, MIN_SIZE, LAYOUT.byteSize(), arena,
                    LAYOUT.name().orElseThrow());
            int reserved = 0;
            for (int i = 0; i < 3; i++) {
                reserved |= ((byte) RESERVED.get(k, 0L, (long) i) & 0xFF) << (8 * i);
            }
            Request r = new Request((int) SIZE.get(k, 0L), (int) FLAGS.get(k, 0L), (int) DEV_ID.get(k, 0L),
                    (int) DATA_LEN.get(k, 0L), (long) DATA_UPTR.get(k, 0L), reserved);
            if (r.flags() != 0 || reserved != 0) {
                throw Rule.HW_INFO_FLAGS_OR_RESERVED.fail(String.format(
                        "IOMMU_GET_HW_INFO: flags 0x%x, reserved bytes 0x%06x; both must be 0", r.flags(), reserved));
            }
            return r;
        }
    }

    /** Writes the output fields into the user's buffer, as far as its {@code size} reaches. */
    public static void respond(MemorySegment user, Request request, HwInfo info) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(LAYOUT);
            encode(k, request);
            DATA_LEN.set(k, 0L, info.dataLen());
            OUT_DATA_TYPE.set(k, 0L, info.dataType());
            OUT_MAX_PASID_LOG2.set(k, 0L, (byte) info.maxPasidLog2());
            OUT_CAPABILITIES.set(k, 0L, info.capabilities());
            UserBuffer.respond(k, user);
        }
    }

    /** Reads the output fields of a response. */
    public static HwInfo readResponse(MemorySegment seg) {
        return new HwInfo((int) OUT_DATA_TYPE.get(seg, 0L), (int) DATA_LEN.get(seg, 0L),
                (byte) OUT_MAX_PASID_LOG2.get(seg, 0L) & 0xFF, (long) OUT_CAPABILITIES.get(seg, 0L));
    }
}
