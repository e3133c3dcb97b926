package dev.vcap.linux.sys;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntToLongFunction;

/**
 * An open file descriptor, closed exactly once. Every use runs under a read lock and {@link #close()}
 * takes the write lock, so no call can reach the descriptor number after it was closed (and perhaps
 * reused by another open in the same process): a use after close fails with EBADF instead of reading
 * some other file. Thread-safe; uses run concurrently.
 */
public final class Fd implements AutoCloseable {

    private static final int EBADF = 9;

    private final int fd;
    private final String name;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private Fd(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /** Opens {@code path} ({@code O_CLOEXEC} always added). */
    public static Fd open(String path, int flags) {
        return new Fd(Libc.open(path, flags), path);
    }

    /**
     * Takes ownership of a descriptor a call returned (an eventfd, VFIO_GROUP_GET_DEVICE_FD's device
     * file, a socket). The caller must not close {@code fd} itself.
     *
     * @param name what it is, for messages
     */
    public static Fd adopt(int fd, String name) {
        if (fd < 0) {
            throw new IllegalArgumentException(name + ": not a descriptor: " + fd);
        }
        return new Fd(fd, name);
    }

    /** What the descriptor is: the path it was opened from, or the name given to {@link #adopt}. */
    public String name() {
        return name;
    }

    /**
     * Runs {@code use} with the raw descriptor, which stays open until {@code use} returns.
     *
     * @throws SyscallException EBADF, named after this file, once it is closed
     */
    public long use(IntToLongFunction use) {
        ReentrantReadWriteLock.ReadLock r = lock.readLock();
        r.lock();
        try {
            if (closed) {
                throw new SyscallException(name + " (closed)", EBADF);
            }
            return use.applyAsLong(fd);
        } finally {
            r.unlock();
        }
    }

    /** The raw number, for messages and for passing to the kernel inside a structure under {@link #use}. */
    public int number() {
        return fd;
    }

    /** True until {@link #close()}. */
    public boolean isOpen() {
        lock.readLock().lock();
        try {
            return !closed;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Closes the descriptor once, after every running use returned; later calls do nothing.
     *
     * @throws SyscallException when {@code close(2)} reports an error (the descriptor is released anyway)
     */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            Libc.close(fd);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return name + " (fd " + fd + ")";
    }
}
