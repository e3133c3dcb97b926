package dev.vcap.vfiouser.transport;

import java.util.concurrent.atomic.AtomicInteger;

/** A descriptor stand-in for tests: counts how often it was closed. */
public final class FakeFd implements ReceivedFd {
    private final int fd;
    private final AtomicInteger closes = new AtomicInteger();

    public FakeFd(int fd) {
        this.fd = fd;
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }

    public boolean isClosed() {
        return closes.get() > 0;
    }

    public int closes() {
        return closes.get();
    }
}
