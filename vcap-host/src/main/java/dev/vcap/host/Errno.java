package dev.vcap.host;

import java.util.Optional;

/**
 * Linux errno values: every one of {@code include/uapi/asm-generic/errno-base.h} and {@code errno.h}
 * (Linux 7.3; x86-64 and arm64 use these numbers), and {@link #ENOTSUPP}, which
 * {@code include/linux/errno.h} keeps kernel-internal but some IOMMU paths return to user space. An
 * ioctl that fails returns {@code -1} with {@code errno} set to one of these; the host contract throws
 * a {@link HostException} carrying it instead. The simulated host uses the few its rules name; a real
 * kernel may answer with any.
 */
public enum Errno {
    // errno-base.h
    EPERM(1), ENOENT(2), ESRCH(3), EINTR(4), EIO(5), ENXIO(6), E2BIG(7), ENOEXEC(8), EBADF(9),
    ECHILD(10), EAGAIN(11), ENOMEM(12), EACCES(13), EFAULT(14), ENOTBLK(15), EBUSY(16), EEXIST(17),
    EXDEV(18), ENODEV(19), ENOTDIR(20), EISDIR(21), EINVAL(22), ENFILE(23), EMFILE(24), ENOTTY(25),
    ETXTBSY(26), EFBIG(27), ENOSPC(28), ESPIPE(29), EROFS(30), EMLINK(31), EPIPE(32), EDOM(33),
    ERANGE(34),
    // errno.h (EWOULDBLOCK and EDEADLOCK are aliases of EAGAIN and EDEADLK)
    EDEADLK(35), ENAMETOOLONG(36), ENOLCK(37), ENOSYS(38), ENOTEMPTY(39), ELOOP(40), ENOMSG(42),
    EIDRM(43), ECHRNG(44), EL2NSYNC(45), EL3HLT(46), EL3RST(47), ELNRNG(48), EUNATCH(49),
    ENOCSI(50), EL2HLT(51), EBADE(52), EBADR(53), EXFULL(54), ENOANO(55), EBADRQC(56), EBADSLT(57),
    EBFONT(59), ENOSTR(60), ENODATA(61), ETIME(62), ENOSR(63), ENONET(64), ENOPKG(65), EREMOTE(66),
    ENOLINK(67), EADV(68), ESRMNT(69), ECOMM(70), EPROTO(71), EMULTIHOP(72), EDOTDOT(73),
    EBADMSG(74), EOVERFLOW(75), ENOTUNIQ(76), EBADFD(77), EREMCHG(78), ELIBACC(79), ELIBBAD(80),
    ELIBSCN(81), ELIBMAX(82), ELIBEXEC(83), EILSEQ(84), ERESTART(85), ESTRPIPE(86), EUSERS(87),
    ENOTSOCK(88), EDESTADDRREQ(89), EMSGSIZE(90), EPROTOTYPE(91), ENOPROTOOPT(92),
    EPROTONOSUPPORT(93), ESOCKTNOSUPPORT(94), EOPNOTSUPP(95), EPFNOSUPPORT(96), EAFNOSUPPORT(97),
    EADDRINUSE(98), EADDRNOTAVAIL(99), ENETDOWN(100), ENETUNREACH(101), ENETRESET(102),
    ECONNABORTED(103), ECONNRESET(104), ENOBUFS(105), EISCONN(106), ENOTCONN(107), ESHUTDOWN(108),
    ETOOMANYREFS(109), ETIMEDOUT(110), ECONNREFUSED(111), EHOSTDOWN(112), EHOSTUNREACH(113),
    EALREADY(114), EINPROGRESS(115), ESTALE(116), EUCLEAN(117), ENOTNAM(118), ENAVAIL(119),
    EISNAM(120), EREMOTEIO(121), EDQUOT(122), ENOMEDIUM(123), EMEDIUMTYPE(124), ECANCELED(125),
    ENOKEY(126), EKEYEXPIRED(127), EKEYREVOKED(128), EKEYREJECTED(129), EOWNERDEAD(130),
    ENOTRECOVERABLE(131), ERFKILL(132), EHWPOISON(133), EFTYPE(134),
    /** Kernel-internal "operation is not supported" (include/linux/errno.h), distinct from EOPNOTSUPP. */
    ENOTSUPP(524);

    private static final Errno[] BY_VALUE = new Errno[EFTYPE.value + 1];

    static {
        for (Errno e : values()) {
            if (e.value < BY_VALUE.length) {
                BY_VALUE[e.value] = e;
            }
        }
    }

    private final int value;

    Errno(int value) {
        this.value = value;
    }

    /** The kernel's positive errno value (an ioctl returns its negation). */
    public int value() {
        return value;
    }

    /**
     * The errno with the given positive value.
     *
     * @throws IllegalArgumentException when Linux defines no such errno
     */
    public static Errno of(int value) {
        return find(value).orElseThrow(() -> new IllegalArgumentException("no errno " + value + " in Linux"));
    }

    /** The errno with the given positive value, if Linux defines one. */
    public static Optional<Errno> find(int value) {
        if (value == ENOTSUPP.value) {
            return Optional.of(ENOTSUPP);
        }
        return value > 0 && value < BY_VALUE.length ? Optional.ofNullable(BY_VALUE[value]) : Optional.empty();
    }
}
