package dev.vcap.vfiouser.transport;

import dev.vcap.linux.sys.Fd;
import dev.vcap.linux.sys.SyscallException;
import dev.vcap.linux.sys.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A listening UNIX stream socket at a path ({@link UnixSockets#listen}). {@link #close()} closes it
 * and removes the socket file.
 */
public final class UnixSocketListener implements AutoCloseable {

    private final Fd fd;
    private final Path path;
    private final AtomicBoolean closed = new AtomicBoolean();

    private UnixSocketListener(Fd fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    /**
     * Binds and listens at {@code path}, which must not exist (a socket file left by a process that
     * died is not taken over silently: remove it first).
     */
    public static UnixSocketListener bind(Path path) throws IOException {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(path + ": already exists; remove it (a server that died leaves its socket behind)"
                    + " or choose another path");
        }
        try {
            return new UnixSocketListener(UnixSockets.listen(path, 1), path);
        } catch (SyscallException | IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    /**
     * Waits for a connection; an interrupt of the waiting thread ends the wait with
     * {@link java.io.InterruptedIOException}.
     */
    public UnixSocket accept() throws IOException {
        UnixSocket.awaitReadable(fd);
        try {
            return new UnixSocket(UnixSockets.accept(fd));
        } catch (SyscallException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Closes the socket and removes its file; a second call does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                fd.close();
            } finally {
                UnixSockets.unlink(path);
            }
        }
    }
}
