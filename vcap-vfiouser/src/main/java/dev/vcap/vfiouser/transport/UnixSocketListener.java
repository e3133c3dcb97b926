package dev.vcap.vfiouser.transport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A listening UNIX stream socket at a path: {@code socket}, {@code bind}, {@code listen} and
 * {@code accept4} through the FFM API. {@link #close()} closes it and removes the socket file.
 *
 * <pre>
 * struct sockaddr_un (110 bytes)
 *   0 sun_family  sa_family_t (u16)  AF_UNIX
 *   2 sun_path    char[108]          NUL-terminated
 * </pre>
 */
public final class UnixSocketListener implements AutoCloseable {

    static final int SUN_FAMILY = 0;
    static final int SUN_PATH = 2;
    static final int SUN_PATH_MAX = 108;
    static final int SOCKADDR_UN_SIZE = SUN_PATH + SUN_PATH_MAX;

    private final int fd;
    private final Path path;
    private final AtomicBoolean closed = new AtomicBoolean();

    private UnixSocketListener(int fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    /**
     * Binds and listens at {@code path}, which must not exist (a socket file left by a process that
     * died is not taken over silently: remove it first).
     */
    public static UnixSocketListener bind(Path path) throws IOException {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH_MAX) {
            throw new IOException(path + ": a UNIX socket path has at most " + (SUN_PATH_MAX - 1) + " bytes, this one "
                    + name.length);
        }
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(path + ": already exists; remove it (a server that died leaves its socket behind)"
                    + " or choose another path");
        }
        Libc.Result s = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (s.failed()) {
            throw Libc.failure("socket", s);
        }
        int fd = (int) s.value();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SOCKADDR_UN_SIZE, 2);
            addr.set(ValueLayout.JAVA_SHORT, SUN_FAMILY, (short) Libc.AF_UNIX);
            MemorySegment.copy(name, 0, addr, ValueLayout.JAVA_BYTE, SUN_PATH, name.length);
            Libc.Result b = Libc.bind(fd, addr, SOCKADDR_UN_SIZE);
            if (b.failed()) {
                Libc.close(fd);
                throw Libc.failure("bind " + path, b);
            }
        }
        Libc.Result l = Libc.listen(fd, 1);
        if (l.failed()) {
            Libc.close(fd);
            unlink(path);
            throw Libc.failure("listen " + path, l);
        }
        return new UnixSocketListener(fd, path);
    }

    public Path path() {
        return path;
    }

    /**
     * Waits for a connection; an interrupt of the waiting thread ends the wait with
     * {@link java.io.InterruptedIOException}.
     */
    public UnixSocket accept() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(8, 4);
            while (true) {
                UnixSocket.awaitReadable(fd, pollfd);
                Libc.Result a = Libc.accept4(fd, Libc.SOCK_CLOEXEC);
                if (!a.failed()) {
                    return new UnixSocket((int) a.value());
                }
                if (a.errno() != Libc.EINTR && a.errno() != Libc.EAGAIN) {
                    throw Libc.failure("accept4", a);
                }
            }
        }
    }

    /** Closes the socket and removes its file; a second call does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Libc.close(fd);
            unlink(path);
        }
    }

    private static void unlink(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            Libc.unlink(arena.allocateFrom(path.toString()));
        }
    }
}
