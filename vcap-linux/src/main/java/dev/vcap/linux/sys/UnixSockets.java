package dev.vcap.linux.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * UNIX stream sockets: {@code socket}, {@code bind}, {@code listen}, {@code accept4}, {@code poll},
 * and {@code recvmsg}/{@code sendmsg} with descriptors passed as SCM_RIGHTS ancillary data (what
 * Java's own {@code SocketChannel} cannot do). Every descriptor made or received is an {@link Fd};
 * every failing call throws a {@link SyscallException} naming it; EINTR is retried.
 *
 * <p>The structures, as x86-64 and arm64 Linux lay them out (LP64; include/uapi/linux/un.h,
 * include/linux/socket.h, include/uapi/asm-generic/poll.h):
 *
 * <pre>
 * struct sockaddr_un (110)      struct msghdr (56)                   struct cmsghdr (16, then data)
 *   0 sun_family  u16             0 msg_name        void *             0 cmsg_len    size_t
 *   2 sun_path    char[108]       8 msg_namelen     socklen_t (+4)     8 cmsg_level  int  SOL_SOCKET
 *                                16 msg_iov         struct iovec *    12 cmsg_type   int  SCM_RIGHTS
 * struct iovec (16)              24 msg_iovlen      size_t            16 data        int fds[]
 *   0 iov_base  void *           32 msg_control     void *
 *   8 iov_len   size_t           40 msg_controllen  size_t           struct pollfd (8)
 *                                48 msg_flags       int (+4)           0 fd  int  4 events  6 revents
 * </pre>
 *
 * Control messages follow each other at {@code CMSG_ALIGN(cmsg_len)}, 8-byte aligned.
 */
public final class UnixSockets {

    // include/linux/socket.h, include/uapi/asm-generic/socket.h, include/linux/net.h
    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_CLOEXEC = Libc.O_CLOEXEC;
    public static final int SOL_SOCKET = 1;
    public static final int SCM_RIGHTS = 1;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;
    // include/uapi/asm-generic/poll.h
    public static final short POLLIN = 0x1;
    private static final int EINTR = 4;

    public static final int SUN_PATH_MAX = 108;
    public static final StructLayout SOCKADDR_UN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sun_family"),
            MemoryLayout.sequenceLayout(SUN_PATH_MAX, JAVA_BYTE).withName("sun_path")).withName("sockaddr_un");
    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len")).withName("iovec");
    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4)).withName("msghdr");
    public static final StructLayout CMSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type")).withName("cmsghdr");
    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents")).withName("pollfd");

    static final long SUN_PATH = SOCKADDR_UN.byteOffset(groupElement("sun_path"));
    static final long IOV_BASE = IOVEC.byteOffset(groupElement("iov_base"));
    static final long IOV_LEN = IOVEC.byteOffset(groupElement("iov_len"));
    static final long MSG_IOV = MSGHDR.byteOffset(groupElement("msg_iov"));
    static final long MSG_IOVLEN = MSGHDR.byteOffset(groupElement("msg_iovlen"));
    static final long MSG_CONTROL = MSGHDR.byteOffset(groupElement("msg_control"));
    static final long MSG_CONTROLLEN = MSGHDR.byteOffset(groupElement("msg_controllen"));
    static final long MSG_FLAGS = MSGHDR.byteOffset(groupElement("msg_flags"));
    static final long CMSG_LEN = CMSGHDR.byteOffset(groupElement("cmsg_len"));
    static final long CMSG_LEVEL = CMSGHDR.byteOffset(groupElement("cmsg_level"));
    static final long CMSG_TYPE = CMSGHDR.byteOffset(groupElement("cmsg_type"));
    /** {@code CMSG_DATA}: the data follows the header, which is already 8-byte aligned. */
    static final long CMSG_DATA = CMSGHDR.byteSize();
    static final long POLL_EVENTS = POLLFD.byteOffset(groupElement("events"));

    /** {@code int socket(int domain, int type, int protocol)}. */
    public static final Downcall SOCKET = Downcall.libc("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT));
    /** {@code int socketpair(int domain, int type, int protocol, int sv[2])}. */
    public static final Downcall SOCKETPAIR = Downcall.libc("socketpair", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS));
    /** {@code int bind(int fd, const struct sockaddr *addr, socklen_t len)}. */
    public static final Downcall BIND = Downcall.libc("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS,
            JAVA_INT));
    /** {@code int connect(int fd, const struct sockaddr *addr, socklen_t len)}. */
    public static final Downcall CONNECT = Downcall.libc("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS,
            JAVA_INT));
    /** {@code int listen(int fd, int backlog)}. */
    public static final Downcall LISTEN = Downcall.libc("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** {@code int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)}. */
    public static final Downcall ACCEPT4 = Downcall.libc("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS,
            ADDRESS, JAVA_INT));
    /** {@code ssize_t recvmsg(int fd, struct msghdr *msg, int flags)}. */
    public static final Downcall RECVMSG = Downcall.libc("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT,
            ADDRESS, JAVA_INT));
    /** {@code ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)}. */
    public static final Downcall SENDMSG = Downcall.libc("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT,
            ADDRESS, JAVA_INT));
    /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)}. */
    public static final Downcall POLL = Downcall.libc("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG,
            JAVA_INT));
    /** {@code int unlink(const char *path)}. */
    public static final Downcall UNLINK = Downcall.libc("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private UnixSockets() {
    }

    /**
     * A listening stream socket bound at {@code path}: {@code socket}, {@code bind}, {@code listen}.
     * Nothing is left behind when a step fails (the descriptor is closed, a bound path removed).
     *
     * @throws IllegalArgumentException when the path does not fit {@code sun_path}
     * @throws SyscallException         named {@code bind PATH} (EADDRINUSE when it exists), ...
     */
    public static Fd listen(Path path, int backlog) {
        Fd fd = stream("socket for " + path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = address(arena, path);
            fd.use(n -> BIND.invoke("bind " + path, n, addr, (int) SOCKADDR_UN.byteSize()));
            try {
                fd.use(n -> LISTEN.invoke("listen " + path, n, backlog));
            } catch (SyscallException e) {
                unlink(path);
                throw e;
            }
            return fd;
        } catch (RuntimeException e) {
            closeQuietly(fd, e);
            throw e;
        }
    }

    /** A stream socket connected to {@code path}, as a client connects. */
    public static Fd connect(Path path) {
        Fd fd = stream("socket to " + path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = address(arena, path);
            fd.use(n -> CONNECT.invoke("connect " + path, n, addr, (int) SOCKADDR_UN.byteSize()));
            return fd;
        } catch (RuntimeException e) {
            closeQuietly(fd, e);
            throw e;
        }
    }

    /** Two connected stream sockets ({@code socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC)}). */
    public static Fd[] pair(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sv = arena.allocate(JAVA_INT, 2);
            SOCKETPAIR.invoke("socketpair " + name, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
            return new Fd[] {Fd.adopt(sv.getAtIndex(JAVA_INT, 0), name + " (end 0)"),
                Fd.adopt(sv.getAtIndex(JAVA_INT, 1), name + " (end 1)")};
        }
    }

    /** The next connection on a listening socket ({@code accept4} with SOCK_CLOEXEC; EINTR retried). */
    public static Fd accept(Fd listener) {
        int fd = (int) listener.use(n -> retry("accept4 on " + listener.name(),
                () -> ACCEPT4.call(n, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC)));
        return Fd.adopt(fd, "connection on " + listener.name());
    }

    /**
     * Waits at most {@code timeoutMillis} for {@code fd} to become readable (or to reach its end, or
     * fail: a read then says which).
     *
     * @return true when a read will not block; false after the timeout or an interrupted wait
     */
    public static boolean readable(Fd fd, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(POLLFD);
            p.set(JAVA_SHORT, POLL_EVENTS, POLLIN);
            long ready = fd.use(n -> {
                p.set(JAVA_INT, 0, n);
                Downcall.Result res = POLL.call(p, 1L, timeoutMillis);
                if (res.failed() && res.errno() != EINTR) {
                    throw new SyscallException("poll " + fd.name(), res.errno());
                }
                return Math.max(res.value(), 0);
            });
            return ready > 0;
        }
    }

    /** What one {@link #receive} brought: the bytes, the descriptors (the caller owns them), and whether some were cut. */
    public record Received(long bytes, List<Fd> fds, boolean controlTruncated) {
    }

    /**
     * One {@code recvmsg} into {@code data} (a native segment), with room for {@code maxFds}
     * descriptors (received with MSG_CMSG_CLOEXEC); EINTR is retried.
     *
     * @return 0 bytes at the end of the stream. When the sender passed more than {@code maxFds}
     *         descriptors the kernel closed the rest and set MSG_CTRUNC: {@code controlTruncated}
     */
    public static Received receive(Fd fd, MemorySegment data, int maxFds) {
        try (Arena arena = Arena.ofConfined()) {
            long controlSize = CMSG_DATA + 4L * maxFds;
            MemorySegment control = arena.allocate(align(controlSize), 8);
            MemorySegment msg = message(arena, data, control);
            long n = fd.use(s -> retry("recvmsg " + fd.name(), () -> RECVMSG.call(s, msg, MSG_CMSG_CLOEXEC)));
            List<Fd> fds = rights(control, msg.get(JAVA_LONG, MSG_CONTROLLEN), fd.name());
            return new Received(n, fds, (msg.get(JAVA_INT, MSG_FLAGS) & MSG_CTRUNC) != 0);
        }
    }

    /**
     * One {@code sendmsg} of {@code data}, with {@code fds} as SCM_RIGHTS when there are any
     * (MSG_NOSIGNAL: a peer that left is EPIPE, not SIGPIPE); EINTR is retried.
     *
     * @return the bytes sent, possibly fewer than given (the descriptors travel with the first byte)
     */
    public static long send(Fd fd, MemorySegment data, int... fds) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment control = MemorySegment.NULL;
            if (fds.length > 0) {
                long len = CMSG_DATA + 4L * fds.length;
                control = arena.allocate(align(len), 8);
                control.set(JAVA_LONG, CMSG_LEN, len);
                control.set(JAVA_INT, CMSG_LEVEL, SOL_SOCKET);
                control.set(JAVA_INT, CMSG_TYPE, SCM_RIGHTS);
                MemorySegment.copy(fds, 0, control, JAVA_INT, CMSG_DATA, fds.length);
            }
            MemorySegment msg = message(arena, data, control);
            return fd.use(s -> retry("sendmsg " + fd.name(), () -> SENDMSG.call(s, msg, MSG_NOSIGNAL)));
        }
    }

    /** Removes a socket file; a path already gone is not an error. */
    public static void unlink(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            UNLINK.call(arena.allocateFrom(path.toString()));
        }
    }

    private static Fd stream(String name) {
        return Fd.adopt((int) SOCKET.invoke(name, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), name);
    }

    private static MemorySegment address(Arena arena, Path path) {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH_MAX) {
            throw new IllegalArgumentException(path + ": a UNIX socket path has at most " + (SUN_PATH_MAX - 1)
                    + " bytes, this one " + name.length);
        }
        MemorySegment addr = arena.allocate(SOCKADDR_UN);
        addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(name, 0, addr, JAVA_BYTE, SUN_PATH, name.length);
        return addr;
    }

    private static MemorySegment message(Arena arena, MemorySegment data, MemorySegment control) {
        MemorySegment iov = arena.allocate(IOVEC);
        iov.set(ADDRESS, IOV_BASE, data);
        iov.set(JAVA_LONG, IOV_LEN, data.byteSize());
        MemorySegment msg = arena.allocate(MSGHDR);
        msg.set(ADDRESS, MSG_IOV, iov);
        msg.set(JAVA_LONG, MSG_IOVLEN, 1);
        msg.set(ADDRESS, MSG_CONTROL, control);
        msg.set(JAVA_LONG, MSG_CONTROLLEN, control.byteSize());
        return msg;
    }

    /** Every SCM_RIGHTS descriptor in the first {@code length} bytes of {@code control}, adopted. */
    private static List<Fd> rights(MemorySegment control, long length, String from) {
        List<Fd> fds = new ArrayList<>();
        long off = 0;
        while (off + CMSG_DATA <= length) {
            long len = control.get(JAVA_LONG, off + CMSG_LEN);
            if (len < CMSG_DATA || off + len > length) {
                break;
            }
            if (control.get(JAVA_INT, off + CMSG_LEVEL) == SOL_SOCKET
                    && control.get(JAVA_INT, off + CMSG_TYPE) == SCM_RIGHTS) {
                for (long p = off + CMSG_DATA; p + 4 <= off + len; p += 4) {
                    fds.add(Fd.adopt(control.get(JAVA_INT, p), "descriptor received on " + from));
                }
            }
            off += align(len);
        }
        return fds;
    }

    /** {@code CMSG_ALIGN}: to the size of {@code size_t}. */
    private static long align(long len) {
        return (len + 7) & ~7L;
    }

    /** Calls until the call does not fail with EINTR; another failure throws. */
    private static long retry(String what, Supplier<Downcall.Result> call) {
        while (true) {
            Downcall.Result r = call.get();
            if (!r.failed()) {
                return r.value();
            }
            if (r.errno() != EINTR) {
                throw new SyscallException(what, r.errno());
            }
        }
    }

    private static void closeQuietly(Fd fd, RuntimeException cause) {
        try {
            fd.close();
        } catch (SyscallException e) {
            cause.addSuppressed(e);
        }
    }
}
