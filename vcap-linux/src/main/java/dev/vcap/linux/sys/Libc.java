package dev.vcap.linux.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The libc calls the Linux host needs, each throwing a {@link SyscallException} that names the call
 * when it fails. {@code pread} and {@code pwrite} are retried on EINTR and until every byte moved;
 * {@code close} is not retried (Linux releases the descriptor even when close reports EINTR).
 * Thread-safe.
 */
@SuppressWarnings("restricted")
public final class Libc {

    // include/uapi/asm-generic/fcntl.h (x86-64 and arm64 agree on these)
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    // include/uapi/linux/eventfd.h
    public static final int EFD_NONBLOCK = O_NONBLOCK;
    public static final int EFD_CLOEXEC = O_CLOEXEC;

    private static final int EINTR = 4;

    /** {@code int open(const char *path, int flags, ...)}: variadic after flags. */
    public static final Downcall OPEN = Downcall.libc("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT,
            JAVA_INT), Linker.Option.firstVariadicArg(2));
    /** {@code int close(int fd)}. */
    public static final Downcall CLOSE = Downcall.libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** {@code int ioctl(int fd, unsigned long request, ...)} with a pointer argument. */
    public static final Downcall IOCTL_PTR = Downcall.libc("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    /** {@code int ioctl(int fd, unsigned long request, ...)} with an integer argument. */
    public static final Downcall IOCTL_LONG = Downcall.libc("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    /** {@code ssize_t pread(int fd, void *buf, size_t count, off_t offset)}. */
    public static final Downcall PREAD = Downcall.libc("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
            JAVA_LONG, JAVA_LONG));
    /** {@code ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)}. */
    public static final Downcall PWRITE = Downcall.libc("pwrite", FunctionDescriptor.of(JAVA_LONG, JAVA_INT,
            ADDRESS, JAVA_LONG, JAVA_LONG));
    /** {@code ssize_t read(int fd, void *buf, size_t count)}. */
    public static final Downcall READ = Downcall.libc("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
            JAVA_LONG));
    /** {@code ssize_t write(int fd, const void *buf, size_t count)}. */
    public static final Downcall WRITE = Downcall.libc("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
            JAVA_LONG));
    /** {@code int eventfd(unsigned int initval, int flags)}. */
    public static final Downcall EVENTFD = Downcall.libc("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_INT));

    private static final MethodHandle STRERROR = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS,
                    JAVA_INT));

    private static final MethodHandle IOCTL_PTR_H = IOCTL_PTR.handle();
    private static final MethodHandle PREAD_H = PREAD.handle();
    private static final MethodHandle PWRITE_H = PWRITE.handle();

    private Libc() {
    }

    /**
     * {@code open(path, flags | O_CLOEXEC)}: descriptors never leak into child processes.
     *
     * @return the new descriptor
     * @throws SyscallException named {@code open PATH}
     */
    public static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) OPEN.invoke("open " + path, arena.allocateFrom(path), flags | O_CLOEXEC, 0);
        }
    }

    /** {@code close(fd)}; an EBADF (or any) failure throws, the descriptor is gone either way. */
    public static void close(int fd) {
        CLOSE.invoke("close " + fd, fd);
    }

    /**
     * {@code ioctl(fd, request, arg)} with a pointer to the request's structure.
     *
     * @return the ioctl's non-negative return value (a new descriptor for some requests)
     * @throws SyscallException named after the request
     */
    public static int ioctl(int fd, Ioctl request, MemorySegment arg) {
        MemorySegment state = Downcall.callState();
        int r;
        try {
            r = (int) IOCTL_PTR_H.invokeExact(state, fd, request.number(), arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw new SyscallException(request.name(), Downcall.errno(state));
        }
        return r;
    }

    /** {@code ioctl(fd, request, arg)} with an integer argument (VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU). */
    public static int ioctl(int fd, Ioctl request, long arg) {
        return (int) IOCTL_LONG.invoke(request.name(), fd, request.number(), arg);
    }

    /**
     * Reads {@code buf.byteSize()} bytes at {@code offset}, retrying on EINTR and after short reads.
     *
     * @return the bytes read: fewer than asked only at the end of the file
     * @throws SyscallException named {@code what}
     */
    public static long pread(int fd, MemorySegment buf, long offset, String what) {
        return positional(PREAD_H, fd, buf, offset, what);
    }

    /**
     * Writes {@code buf} at {@code offset}, retrying on EINTR and after short writes.
     *
     * @return the bytes written: fewer than given only when the file accepts no more
     * @throws SyscallException named {@code what}
     */
    public static long pwrite(int fd, MemorySegment buf, long offset, String what) {
        return positional(PWRITE_H, fd, buf, offset, what);
    }

    /** {@code pread} or {@code pwrite} until every byte moved, the file ends, or a failure other than EINTR. */
    private static long positional(MethodHandle call, int fd, MemorySegment buf, long offset, String what) {
        long done = 0;
        long size = buf.byteSize();
        MemorySegment state = Downcall.callState();
        while (done < size) {
            long n;
            try {
                n = (long) call.invokeExact(state, fd, buf.asSlice(done), size - done, offset + done);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n < 0) {
                int errno = Downcall.errno(state);
                if (errno == EINTR) {
                    continue;
                }
                throw new SyscallException(what, errno);
            }
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /** One {@code read(fd, buf, size)}; returns the bytes read (0 at end of file). */
    public static long read(int fd, MemorySegment buf, String what) {
        return READ.invoke(what, fd, buf, buf.byteSize());
    }

    /** One {@code write(fd, buf, size)}; returns the bytes written. */
    public static long write(int fd, MemorySegment buf, String what) {
        return WRITE.invoke(what, fd, buf, buf.byteSize());
    }

    /** {@code eventfd(initval, flags | EFD_CLOEXEC)}. */
    public static int eventfd(int initval, int flags) {
        return (int) EVENTFD.invoke("eventfd", initval, flags | EFD_CLOEXEC);
    }

    /** {@code strerror(errno)}, e.g. "Inappropriate ioctl for device". */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
