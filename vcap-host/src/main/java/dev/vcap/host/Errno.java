package dev.vcap.host;

/**
 * The Linux errno values the host contract reports (asm-generic/errno-base.h, errno.h). An ioctl
 * that fails returns {@code -1} with {@code errno} set to one of these; the contract throws a
 * {@link HostException} carrying it instead.
 */
public enum Errno {
    EPERM(1),
    ENOENT(2),
    E2BIG(7),
    EBADF(9),
    ENOMEM(12),
    EFAULT(14),
    EBUSY(16),
    EEXIST(17),
    ENODEV(19),
    EINVAL(22),
    ENOSPC(28),
    ERANGE(34),
    EOVERFLOW(75),
    EOPNOTSUPP(95);

    private final int value;

    Errno(int value) {
        this.value = value;
    }

    /** The kernel's positive errno value (an ioctl returns its negation). */
    public int value() {
        return value;
    }

    /** The errno with the given positive value. */
    public static Errno of(int value) {
        for (Errno e : values()) {
            if (e.value == value) {
                return e;
            }
        }
        throw new IllegalArgumentException("no errno " + value + " in the contract");
    }
}
