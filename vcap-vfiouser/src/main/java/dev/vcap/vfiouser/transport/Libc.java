package dev.vcap.vfiouser.transport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls a UNIX-socket server needs, as FFM downcalls that capture errno (x86-64 and
 * aarch64 Linux). Each wrapper returns the call's result or throws an {@link IOException} naming
 * the call and {@code strerror(errno)}.
 */
@SuppressWarnings("restricted")
final class Libc {

    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int MSG_CTRUNC = 0x8;
    static final int POLLIN = 0x1;
    static final int EINTR = 4;
    static final int EAGAIN = 11;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement
            .groupElement("errno"));
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    private static final MethodHandle SOCKET = errnoCall("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle BIND = errnoCall("bind", FunctionDescriptor.of(INT, INT, PTR, INT));
    private static final MethodHandle LISTEN = errnoCall("listen", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle ACCEPT4 = errnoCall("accept4", FunctionDescriptor.of(INT, INT, PTR, PTR, INT));
    private static final MethodHandle RECVMSG = errnoCall("recvmsg", FunctionDescriptor.of(LONG, INT, PTR, INT));
    private static final MethodHandle SENDMSG = errnoCall("sendmsg", FunctionDescriptor.of(LONG, INT, PTR, INT));
    private static final MethodHandle POLL = errnoCall("poll", FunctionDescriptor.of(INT, PTR, LONG, INT));
    private static final MethodHandle CLOSE = errnoCall("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle UNLINK = errnoCall("unlink", FunctionDescriptor.of(INT, PTR));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LINKER.defaultLookup().find("strerror")
            .orElseThrow(), FunctionDescriptor.of(PTR, INT));

    private Libc() {
    }

    private static MethodHandle errnoCall(String name, FunctionDescriptor fd) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, Linker.Option.captureCallState("errno"));
    }

    /** A call's result with the errno captured right after it. */
    record Result(long value, int errno) {
        boolean failed() {
            return value < 0;
        }
    }

    static Result socket(int domain, int type, int protocol) {
        return call(SOCKET, domain, type, protocol);
    }

    static Result bind(int fd, MemorySegment addr, int len) {
        return call(BIND, fd, addr, len);
    }

    static Result listen(int fd, int backlog) {
        return call(LISTEN, fd, backlog);
    }

    static Result accept4(int fd, int flags) {
        return call(ACCEPT4, fd, MemorySegment.NULL, MemorySegment.NULL, flags);
    }

    static Result recvmsg(int fd, MemorySegment msghdr, int flags) {
        return call(RECVMSG, fd, msghdr, flags);
    }

    static Result sendmsg(int fd, MemorySegment msghdr, int flags) {
        return call(SENDMSG, fd, msghdr, flags);
    }

    static Result poll(MemorySegment fds, long nfds, int timeoutMillis) {
        return call(POLL, fds, nfds, timeoutMillis);
    }

    static Result close(int fd) {
        return call(CLOSE, fd);
    }

    static Result unlink(MemorySegment path) {
        return call(UNLINK, path);
    }

    /** {@code strerror(errno)}, e.g. "Address already in use". */
    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** The exception for a failed call: {@code what: strerror (errno N)}. */
    static IOException failure(String what, Result r) {
        return new IOException(what + ": " + strerror(r.errno()) + " (errno " + r.errno() + ")");
    }

    private static Result call(MethodHandle h, Object... args) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            Object[] all = new Object[args.length + 1];
            all[0] = state;
            System.arraycopy(args, 0, all, 1, args.length);
            Object r = h.invokeWithArguments(all);
            long value = r instanceof Integer i ? i : (Long) r;
            return new Result(value, (int) ERRNO.get(state, 0L));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
