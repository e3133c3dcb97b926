package dev.vcap.vfiouser.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One accepted UNIX stream connection, read with {@code recvmsg} so that descriptors sent with
 * SCM_RIGHTS are received (Java's own {@code SocketChannel} drops them) and owned: each becomes a
 * {@link ReceivedFd} that closes it.
 *
 * <pre>
 * struct msghdr (x86-64 / aarch64 Linux, 56 bytes)     struct cmsghdr (16 bytes, then data)
 *   0 msg_name        void *                             0 cmsg_len    size_t
 *   8 msg_namelen     socklen_t (+4 padding)             8 cmsg_level  int    SOL_SOCKET
 *  16 msg_iov         struct iovec *                    12 cmsg_type   int    SCM_RIGHTS
 *  24 msg_iovlen      size_t                            16 data        int fds[(cmsg_len - 16) / 4]
 *  32 msg_control     void *
 *  40 msg_controllen  size_t                          struct iovec (16 bytes)
 *  48 msg_flags       int                                0 iov_base  void *   8 iov_len  size_t
 * </pre>
 */
public final class UnixSocket implements Transport {

    static final int MSG_NAME = 0;
    static final int MSG_IOV = 16;
    static final int MSG_IOVLEN = 24;
    static final int MSG_CONTROL = 32;
    static final int MSG_CONTROLLEN = 40;
    static final int MSG_FLAGS = 48;
    static final int MSGHDR_SIZE = 56;
    static final int IOV_BASE = 0;
    static final int IOV_LEN = 8;
    static final int IOVEC_SIZE = 16;
    static final int CMSG_LEN = 0;
    static final int CMSG_LEVEL = 8;
    static final int CMSG_TYPE = 12;
    static final int CMSG_DATA = 16;
    /** Descriptors one message may carry; QEMU's client sends at most 16 (VFIO_USER_MAX_MAX_FDS). */
    public static final int MAX_FDS = 64;
    private static final int CONTROL_SIZE = CMSG_DATA + 4 * MAX_FDS;
    private static final int BUFFER_SIZE = 1 << 16;
    static final int POLL_MILLIS = 100;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer;
    private final MemorySegment control;
    private final MemorySegment iov;
    private final MemorySegment msghdr;
    private final MemorySegment pollfd;
    private final AtomicBoolean closed = new AtomicBoolean();

    UnixSocket(int fd) {
        this.fd = fd;
        buffer = arena.allocate(BUFFER_SIZE, 8);
        control = arena.allocate(CONTROL_SIZE, 8);
        iov = arena.allocate(IOVEC_SIZE, 8);
        msghdr = arena.allocate(MSGHDR_SIZE, 8);
        pollfd = arena.allocate(8, 4);
    }

    @Override
    public int read(ByteBuffer dst, List<ReceivedFd> fds) throws IOException {
        awaitReadable(fd, pollfd);
        int want = Math.min(dst.remaining(), BUFFER_SIZE);
        iov.set(ValueLayout.ADDRESS, IOV_BASE, buffer);
        iov.set(ValueLayout.JAVA_LONG, IOV_LEN, want);
        msghdr.fill((byte) 0);
        msghdr.set(ValueLayout.ADDRESS, MSG_IOV, iov);
        msghdr.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, 1);
        msghdr.set(ValueLayout.ADDRESS, MSG_CONTROL, control);
        msghdr.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN, CONTROL_SIZE);
        Libc.Result r;
        do {
            r = Libc.recvmsg(fd, msghdr, Libc.MSG_CMSG_CLOEXEC);
        } while (r.failed() && r.errno() == Libc.EINTR);
        if (r.failed()) {
            throw Libc.failure("recvmsg", r);
        }
        collectFds(fds);
        if ((msghdr.get(ValueLayout.JAVA_INT, MSG_FLAGS) & Libc.MSG_CTRUNC) != 0) {
            throw new IOException("a message carried more than " + MAX_FDS + " descriptors; the kernel dropped the rest");
        }
        if (r.value() == 0) {
            return -1;
        }
        dst.put(buffer.asSlice(0, r.value()).asByteBuffer());
        return (int) r.value();
    }

    private void collectFds(List<ReceivedFd> fds) {
        long length = msghdr.get(ValueLayout.JAVA_LONG, MSG_CONTROLLEN);
        long off = 0;
        while (off + CMSG_DATA <= length) {
            long cmsgLen = control.get(ValueLayout.JAVA_LONG, off + CMSG_LEN);
            if (cmsgLen < CMSG_DATA || off + cmsgLen > length) {
                break;
            }
            if (control.get(ValueLayout.JAVA_INT, off + CMSG_LEVEL) == Libc.SOL_SOCKET
                    && control.get(ValueLayout.JAVA_INT, off + CMSG_TYPE) == Libc.SCM_RIGHTS) {
                for (long p = off + CMSG_DATA; p + 4 <= off + cmsgLen; p += 4) {
                    fds.add(new OwnedFd(control.get(ValueLayout.JAVA_INT, p)));
                }
            }
            off += (cmsgLen + 7) & ~7L;
        }
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), BUFFER_SIZE);
            MemorySegment.copy(MemorySegment.ofBuffer(src.slice(src.position(), n)), 0, buffer, 0, n);
            iov.set(ValueLayout.ADDRESS, IOV_BASE, buffer);
            iov.set(ValueLayout.JAVA_LONG, IOV_LEN, n);
            msghdr.fill((byte) 0);
            msghdr.set(ValueLayout.ADDRESS, MSG_IOV, iov);
            msghdr.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, 1);
            Libc.Result r = Libc.sendmsg(fd, msghdr, Libc.MSG_NOSIGNAL);
            if (r.failed()) {
                if (r.errno() == Libc.EINTR) {
                    continue;
                }
                throw Libc.failure("sendmsg", r);
            }
            src.position(src.position() + (int) r.value());
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Libc.close(fd);
            arena.close();
        }
    }

    /** Waits until {@code fd} is readable, in slices, so that an interrupt ends the wait. */
    static void awaitReadable(int fd, MemorySegment pollfd) throws IOException {
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while waiting for the socket");
            }
            pollfd.set(ValueLayout.JAVA_INT, 0, fd);
            pollfd.set(ValueLayout.JAVA_INT, 4, Libc.POLLIN); // events (short) | revents (short) = 0
            Libc.Result r = Libc.poll(pollfd, 1, POLL_MILLIS);
            if (r.failed() && r.errno() != Libc.EINTR) {
                throw Libc.failure("poll", r);
            }
            if (r.value() > 0) {
                return;
            }
        }
    }

    /** A descriptor received with SCM_RIGHTS, owned until closed. */
    static final class OwnedFd implements ReceivedFd {
        private final int fd;
        private final AtomicBoolean closed = new AtomicBoolean();

        OwnedFd(int fd) {
            this.fd = fd;
        }

        @Override
        public int fd() {
            return fd;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                Libc.close(fd);
            }
        }

        @Override
        public String toString() {
            return "fd " + fd;
        }
    }
}
