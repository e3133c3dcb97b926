package dev.vcap.vfiouser.transport;

import dev.vcap.linux.sys.Fd;
import dev.vcap.linux.sys.SyscallException;
import dev.vcap.linux.sys.UnixSockets;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One UNIX stream connection, read with {@code recvmsg} so that descriptors sent with SCM_RIGHTS
 * are received (Java's own {@code SocketChannel} drops them) and owned: each becomes a
 * {@link ReceivedFd} that closes it. The system calls are vcap-linux's ({@link UnixSockets}); a
 * failing one is an {@link IOException} here, with the {@link SyscallException} as its cause.
 */
public final class UnixSocket implements Transport {

    /** Descriptors one message may carry; QEMU's client sends at most 16 (VFIO_USER_MAX_MAX_FDS). */
    public static final int MAX_FDS = 64;
    private static final int BUFFER_SIZE = 1 << 16;
    /** How long one wait for data lasts before the thread's interrupt flag is looked at again. */
    static final int POLL_MILLIS = 100;

    private final Fd fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(BUFFER_SIZE, 8);
    private final AtomicBoolean closed = new AtomicBoolean();

    UnixSocket(Fd fd) {
        this.fd = fd;
    }

    /** Connects to a listening socket at {@code path}, as a client does. */
    public static UnixSocket connect(java.nio.file.Path path) throws IOException {
        try {
            return new UnixSocket(UnixSockets.connect(path));
        } catch (SyscallException | IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public int read(ByteBuffer dst, List<ReceivedFd> fds) throws IOException {
        awaitReadable(fd);
        UnixSockets.Received r;
        try {
            r = UnixSockets.receive(fd, buffer.asSlice(0, Math.min(dst.remaining(), BUFFER_SIZE)), MAX_FDS);
        } catch (SyscallException e) {
            throw new IOException(e.getMessage(), e);
        }
        r.fds().forEach(f -> fds.add(new OwnedFd(f)));
        if (r.controlTruncated()) {
            throw new IOException("a message carried more than " + MAX_FDS + " descriptors; the kernel dropped the rest");
        }
        if (r.bytes() == 0) {
            return -1;
        }
        dst.put(buffer.asSlice(0, r.bytes()).asByteBuffer());
        return (int) r.bytes();
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        write(src, new int[0]);
    }

    /**
     * Writes all of {@code src}, the descriptors {@code fds} (still owned by the caller: the kernel
     * passes copies) travelling with its first byte as SCM_RIGHTS.
     */
    public void write(ByteBuffer src, int... fds) throws IOException {
        int[] pending = fds;
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), BUFFER_SIZE);
            MemorySegment.copy(MemorySegment.ofBuffer(src.slice(src.position(), n)), 0, buffer, 0, n);
            long sent;
            try {
                sent = UnixSockets.send(fd, buffer.asSlice(0, n), pending);
            } catch (SyscallException e) {
                throw new IOException(e.getMessage(), e);
            }
            pending = new int[0];
            src.position(src.position() + (int) sent);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                fd.close();
            } finally {
                arena.close();
            }
        }
    }

    /** Waits until {@code fd} is readable, in slices, so that an interrupt ends the wait. */
    static void awaitReadable(Fd fd) throws IOException {
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while waiting for " + fd.name());
            }
            try {
                if (UnixSockets.readable(fd, POLL_MILLIS)) {
                    return;
                }
            } catch (SyscallException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
    }

    /** A descriptor received with SCM_RIGHTS, owned until closed. */
    static final class OwnedFd implements ReceivedFd {
        private final Fd fd;

        OwnedFd(Fd fd) {
            this.fd = fd;
        }

        @Override
        public int fd() {
            return fd.number();
        }

        @Override
        public void close() {
            fd.close();
        }

        @Override
        public String toString() {
            return "fd " + fd.number();
        }
    }
}
