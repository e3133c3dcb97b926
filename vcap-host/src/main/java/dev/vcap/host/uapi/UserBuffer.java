package dev.vcap.host.uapi;

import dev.vcap.host.Rule;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The kernel's user-copy helpers over a {@link MemorySegment} standing for user memory. */
final class UserBuffer {

    private UserBuffer() {
    }

    /** copy_from_user of {@code length} bytes at {@code offset}: EFAULT when the buffer is shorter. */
    static void requireReadable(MemorySegment user, long offset, long length, String what) {
        if (user.byteSize() < offset + length) {
            throw Rule.USER_BUFFER_FAULT.fail(String.format("%s: the kernel copies bytes %d..%d but the buffer has %d",
                    what, offset, offset + length - 1, user.byteSize()));
        }
    }

    /**
     * The iommufd ioctl entry (drivers/iommu/iommufd/main.c): reads the leading {@code size}, refuses
     * one below {@code minSize}, and copies the user structure into a kernel-sized buffer as
     * copy_struct_from_user does (bytes the user did not pass read as zero; bytes beyond the kernel's
     * structure must be zero).
     *
     * @return a zero-filled copy of {@code kernelSize} bytes
     */
    static MemorySegment copyStructFromUser(MemorySegment user, long minSize, long kernelSize, Arena arena,
            String what) {
        requireReadable(user, 0, 4, what);
        long userSize = Integer.toUnsignedLong(user.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
        if (userSize < minSize) {
            throw Rule.SIZE_BELOW_MINIMUM.fail(String.format("%s: size %d is below the minimum %d", what, userSize,
                    minSize));
        }
        requireReadable(user, 0, userSize, what);
        for (long i = kernelSize; i < userSize; i++) {
            if (user.get(ValueLayout.JAVA_BYTE, i) != 0) {
                throw Rule.NONZERO_TRAILING_BYTES.fail(String.format(
                        "%s: byte %d beyond the %d-byte structure the kernel knows is not zero", what, i, kernelSize));
            }
        }
        MemorySegment kernel = arena.allocate(kernelSize, 8);
        MemorySegment.copy(user, 0, kernel, 0, Math.min(userSize, kernelSize));
        return kernel;
    }

    /** iommufd_ucmd_respond: copies back as much of the kernel structure as the user's size holds. */
    static void respond(MemorySegment kernel, MemorySegment user) {
        long userSize = Integer.toUnsignedLong(user.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
        MemorySegment.copy(kernel, 0, user, 0, Math.min(userSize, kernel.byteSize()));
    }
}
