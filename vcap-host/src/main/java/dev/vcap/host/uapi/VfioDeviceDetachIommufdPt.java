package dev.vcap.host.uapi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import dev.vcap.host.Rule;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct vfio_device_detach_iommufd_pt} (VFIO_DEVICE_DETACH_IOMMUFD_PT, Linux 6.15):
 *
 * <pre>
 *  0 u32 argsz
 *  4 u32 flags     VFIO_DEVICE_DETACH_PASID = 1 &lt;&lt; 0
 *  8 u32 pasid     read only with VFIO_DEVICE_DETACH_PASID
 * 12
 * </pre>
 *
 * Decoding applies {@code vfio_df_ioctl_detach_pt}: the minimal {@code argsz} ends at {@code flags}.
 */
public final class VfioDeviceDetachIommufdPt {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("argsz"),
            ValueLayout.JAVA_INT.withName("flags"),
            ValueLayout.JAVA_INT.withName("pasid")).withName("vfio_device_detach_iommufd_pt");

    /** VFIO_DEVICE_DETACH_PASID. */
    public static final int FLAG_PASID = 1 << 0;
    /** offsetofend(flags). */
    public static final long MIN_SIZE = LAYOUT.byteOffset(groupElement("flags")) + 4;
    /** offsetofend(pasid). */
    public static final long PASID_END = LAYOUT.byteOffset(groupElement("pasid")) + 4;

    private static final long OFF_ARGSZ = LAYOUT.byteOffset(groupElement("argsz"));
    private static final long OFF_FLAGS = LAYOUT.byteOffset(groupElement("flags"));
    private static final long OFF_PASID = LAYOUT.byteOffset(groupElement("pasid"));

    private static final VarHandle ARGSZ = LAYOUT.varHandle(groupElement("argsz"));
    private static final VarHandle FLAGS = LAYOUT.varHandle(groupElement("flags"));
    private static final VarHandle PASID = LAYOUT.varHandle(groupElement("pasid"));

    public record Args(int argsz, int flags, int pasid) {

        public boolean hasPasid() {
            return (flags & FLAG_PASID) != 0;
        }
    }

    private VfioDeviceDetachIommufdPt() {
    }

    public static void encode(MemorySegment dst, Args args) {
        ARGSZ.set(dst, 0L, args.argsz());
        FLAGS.set(dst, 0L, args.flags());
        PASID.set(dst, 0L, args.pasid());
    }

    /** A well-formed request: full argsz, PASID flag when {@code pasid} is non-null. */
    public static Args request(Integer pasid) {
        return pasid == null ? new Args((int) LAYOUT.byteSize(), 0, 0)
                : new Args((int) LAYOUT.byteSize(), FLAG_PASID, pasid);
    }

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
        if (Integer.compareUnsigned(argsz, (int) MIN_SIZE) < 0) {
            throw Rule.ARGSZ_BELOW_MINIMUM.fail("detach: argsz " + Integer.toUnsignedString(argsz)
                    + " is below the minimal " + MIN_SIZE);
        }
        if ((flags & ~knownFlags) != 0) {
            throw Rule.UNKNOWN_FLAGS.fail(String.format("detach: unknown flags 0x%x", flags & ~knownFlags));
        }
        int pasid = 0;
        if ((flags & FLAG_PASID) != 0) {
            if (!pasidOps) {
                throw Rule.PASID_OPS_MISSING.fail("detach: VFIO_DEVICE_DETACH_PASID but the driver has no PASID ops");
            }
            if (Integer.compareUnsigned(argsz, (int) PASID_END) < 0) {
                throw Rule.ARGSZ_TOO_SMALL_FOR_PASID.fail("detach: argsz " + Integer.toUnsignedString(argsz)
                        + " does not reach the end of pasid (" + PASID_END + ")");
            }
            UserBuffer.requireReadable(user, MIN_SIZE, PASID_END - MIN_SIZE, LAYOUT.name().orElseThrow());
            pasid = user.get(ValueLayout.JAVA_INT_UNALIGNED, OFF_PASID);
        }
        return new Args(argsz, flags, pasid);
    }
}
