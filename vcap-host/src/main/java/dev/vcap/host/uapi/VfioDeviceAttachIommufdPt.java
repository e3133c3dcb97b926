package dev.vcap.host.uapi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import dev.vcap.host.Rule;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct vfio_device_attach_iommufd_pt} (VFIO_DEVICE_ATTACH_IOMMUFD_PT, Linux 6.15):
 *
 * <pre>
 *  0 u32 argsz
 *  4 u32 flags     VFIO_DEVICE_ATTACH_PASID = 1 &lt;&lt; 0
 *  8 u32 pt_id     in: IOAS or HWPT ID; out: the HWPT attached
 * 12 u32 pasid     read only with VFIO_DEVICE_ATTACH_PASID
 * 16
 * </pre>
 *
 * Decoding applies drivers/vfio/device_cdev.c {@code vfio_df_ioctl_attach_pt}: {@code argsz} below
 * the end of {@code pt_id} is EINVAL, an unknown flag is EINVAL, the PASID flag without PASID ops is
 * EOPNOTSUPP, the PASID flag with an {@code argsz} short of the end of {@code pasid} is EINVAL.
 */
public final class VfioDeviceAttachIommufdPt {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("argsz"),
            ValueLayout.JAVA_INT.withName("flags"),
            ValueLayout.JAVA_INT.withName("pt_id"),
            ValueLayout.JAVA_INT.withName("pasid")).withName("vfio_device_attach_iommufd_pt");

    /** VFIO_DEVICE_ATTACH_PASID. */
    public static final int FLAG_PASID = 1 << 0;
    /** offsetofend(pt_id): the minimal argsz. */
    public static final long MIN_SIZE = LAYOUT.byteOffset(groupElement("pt_id")) + 4;
    /** offsetofend(pasid): the argsz the PASID flag needs. */
    public static final long PASID_END = LAYOUT.byteOffset(groupElement("pasid")) + 4;

    private static final long OFF_ARGSZ = LAYOUT.byteOffset(groupElement("argsz"));
    private static final long OFF_FLAGS = LAYOUT.byteOffset(groupElement("flags"));
    private static final long OFF_PT_ID = LAYOUT.byteOffset(groupElement("pt_id"));
    private static final long OFF_PASID = LAYOUT.byteOffset(groupElement("pasid"));

    private static final VarHandle ARGSZ = LAYOUT.varHandle(groupElement("argsz"));
    private static final VarHandle FLAGS = LAYOUT.varHandle(groupElement("flags"));
    private static final VarHandle PT_ID = LAYOUT.varHandle(groupElement("pt_id"));
    private static final VarHandle PASID = LAYOUT.varHandle(groupElement("pasid"));

    /** The decoded fields; {@code pasid} is 0 when the PASID flag is clear (the kernel does not read it). */
    public record Args(int argsz, int flags, int ptId, int pasid) {

        public boolean hasPasid() {
            return (flags & FLAG_PASID) != 0;
        }
    }

    // Reads of user buffers use plain offsets: a layout var handle refuses a segment smaller than
    // the whole structure, and a short buffer must fail by the kernel's rules, not by the JDK's.

    private VfioDeviceAttachIommufdPt() {
    }

    /** Writes all four fields. */
    public static void encode(MemorySegment dst, Args args) {
        ARGSZ.set(dst, 0L, args.argsz());
        FLAGS.set(dst, 0L, args.flags());
        PT_ID.set(dst, 0L, args.ptId());
        PASID.set(dst, 0L, args.pasid());
    }

    /** A well-formed request: full argsz, PASID flag when {@code pasid} is non-null. */
    public static Args request(int ptId, Integer pasid) {
        return pasid == null ? new Args((int) LAYOUT.byteSize(), 0, ptId, 0)
                : new Args((int) LAYOUT.byteSize(), FLAG_PASID, ptId, pasid);
    }

    /**
     * Reads a user buffer the way the kernel does.
     *
     * @param pasidOps whether the device's driver has PASID attach ops
     */
    public static Args decode(MemorySegment user, boolean pasidOps) {
        return decode(user, FLAG_PASID, pasidOps);
    }

    /**
     * Reads a user buffer the way a kernel that knows only {@code knownFlags} does: 0 for Linux
     * before 6.15, where the PASID flag is an unknown flag (EINVAL), not a missing op.
     */
    public static Args decode(MemorySegment user, int knownFlags, boolean pasidOps) {
        UserBuffer.requireReadable(user, 0, MIN_SIZE, LAYOUT.name().orElseThrow());
        int argsz = user.get(ValueLayout.JAVA_INT_UNALIGNED, OFF_ARGSZ);
        int flags = user.get(ValueLayout.JAVA_INT_UNALIGNED, OFF_FLAGS);
        int ptId = user.get(ValueLayout.JAVA_INT_UNALIGNED, OFF_PT_ID);
        if (Integer.compareUnsigned(argsz, (int) MIN_SIZE) < 0) {
            throw Rule.ARGSZ_BELOW_MINIMUM.fail("attach: argsz " + Integer.toUnsignedString(argsz)
                    + " is below the minimal " + MIN_SIZE);
        }
        if ((flags & ~knownFlags) != 0) {
            throw Rule.UNKNOWN_FLAGS.fail(String.format("attach: unknown flags 0x%x", flags & ~knownFlags));
        }
        int pasid = 0;
        if ((flags & FLAG_PASID) != 0) {
            if (!pasidOps) {
                throw Rule.PASID_OPS_MISSING.fail("attach: VFIO_DEVICE_ATTACH_PASID but the driver has no PASID ops");
            }
            if (Integer.compareUnsigned(argsz, (int) PASID_END) < 0) {
                throw Rule.ARGSZ_TOO_SMALL_FOR_PASID.fail("attach: argsz " + Integer.toUnsignedString(argsz)
                        + " does not reach the end of pasid (" + PASID_END + ")");
            }
            UserBuffer.requireReadable(user, MIN_SIZE, PASID_END - MIN_SIZE, LAYOUT.name().orElseThrow());
            pasid = user.get(ValueLayout.JAVA_INT_UNALIGNED, OFF_PASID);
        }
        return new Args(argsz, flags, ptId, pasid);
    }

    /** Reads {@code pt_id}: after a successful attach, the HWPT the kernel attached. */
    public static int ptId(MemorySegment seg) {
        return (int) PT_ID.get(seg, 0L);
    }

    /** The kernel's copy_to_user of {@code pt_id} after a successful attach. */
    public static void writePtId(MemorySegment user, int hwptId) {
        user.set(ValueLayout.JAVA_INT_UNALIGNED, OFF_PT_ID, hwptId);
    }
}
