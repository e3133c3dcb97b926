package dev.vcap.linux.sys;

import dev.vcap.host.Errno;
import java.util.Optional;

/**
 * A libc call returned {@code -1}: the call (with what it was asked, e.g. {@code open /dev/iommu}
 * or an ioctl's name), the errno it left, and {@code strerror}'s text. Unchecked: every system call
 * can fail, and callers either report it or turn it into their own error (the Linux host turns it
 * into a {@link dev.vcap.host.HostException} with the kernel's errno).
 */
public final class SyscallException extends RuntimeException {

    private final String call;
    private final int errno;

    /**
     * @param call  what failed, e.g. {@code open /dev/iommu} or {@code VFIO_DEVICE_BIND_IOMMUFD}
     * @param errno the positive errno value
     */
    public SyscallException(String call, int errno) {
        super(call + ": " + name(errno) + " (" + Libc.strerror(errno) + ")");
        this.call = call;
        this.errno = errno;
    }

    /** What failed. */
    public String call() {
        return call;
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }

    /** The errno as the kernel names it, when Linux defines it (always, for a real kernel's answer). */
    public Optional<Errno> known() {
        return Errno.find(errno);
    }

    /** {@code EINVAL}, or {@code errno N} for a value Linux does not define. */
    public String errnoName() {
        return name(errno);
    }

    static String name(int errno) {
        return Errno.find(errno).map(Enum::name).orElse("errno " + errno);
    }
}
