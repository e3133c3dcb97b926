package dev.vcap.cli;

import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.dump.DeviceSource;
import java.io.IOException;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a source on a second thread while the caller analyses and prints what was already read:
 * parsing and reporting take similar time, so on two cores this nearly halves a large run. At most
 * {@link #DEPTH} devices wait in between, so memory stays flat. A reader exception is rethrown by
 * {@link #next()} at the position it happened.
 *
 * <p>The depth lets the reader run well ahead while the caller is slow for a while: {@code plan}
 * and {@code survey} plan each new class of device at its first device, mostly near the start of
 * an input, and with 256 devices the reader waited there and was left alone with the rest of the
 * input at the end. 4,096 waiting devices are about 20 MB (docs/PERFORMANCE.md).
 *
 * <p>When the next device is late — the input is a pipe fed in steps, or a slow disk — the caller's
 * {@code stalled} action runs once before waiting on: a command that streams flushes there what it
 * has written, so each result is seen as soon as it is known, not when the input ends.
 */
final class PrefetchingSource implements DeviceSource {

    static final int DEPTH = 4096;
    /** How long the next device may be late before {@code stalled} runs: parsing one takes far less. */
    static final long STALL_MILLIS = 5;
    private static final Object END = new Object();

    private final DeviceSource source;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(DEPTH);
    private final Thread reader;
    private final Runnable stalled;
    private Object head;
    private volatile boolean closed;

    PrefetchingSource(DeviceSource source) {
        this(source, () -> {
        });
    }

    PrefetchingSource(DeviceSource source, Runnable stalled) {
        this.source = source;
        this.stalled = stalled;
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
                head = queue.poll(STALL_MILLIS, TimeUnit.MILLISECONDS);
                if (head == null) {
                    stalled.run();
                    head = queue.take();
                }
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
