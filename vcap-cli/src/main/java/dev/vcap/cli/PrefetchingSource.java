package dev.vcap.cli;

import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.dump.DeviceSource;
import java.io.IOException;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a source on a second thread while the caller analyses and prints what was already read:
 * parsing and reporting take similar time, so on two cores this nearly halves a large run. At most
 * {@link #DEPTH} devices wait in between, so memory stays flat. A reader exception is rethrown by
 * {@link #next()} at the position it happened.
 */
final class PrefetchingSource implements DeviceSource {

    static final int DEPTH = 256;
    private static final Object END = new Object();

    private final DeviceSource source;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(DEPTH);
    private final Thread reader;
    private Object head;
    private volatile boolean closed;

    PrefetchingSource(DeviceSource source) {
        this.source = source;
        this.reader = Thread.ofPlatform().daemon().name("vcap-reader").start(this::readAll);
    }

    private void readAll() {
        try {
            while (!closed && source.hasNext()) {
                queue.put(source.next());
            }
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            try {
                queue.put(e);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean hasNext() {
        if (head == null) {
            try {
                head = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading", e);
            }
        }
        if (head instanceof RuntimeException e) {
            head = END;
            throw e;
        }
        return head != END;
    }

    @Override
    public DeviceImage next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        DeviceImage d = (DeviceImage) head;
        head = null;
        return d;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        reader.interrupt();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        source.close();
    }
}
