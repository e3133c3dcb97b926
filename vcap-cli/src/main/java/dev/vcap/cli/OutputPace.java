package dev.vcap.cli;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * When a command that prints one result per device flushes standard output: when the next device
 * is late ({@link PrefetchingSource}'s stalled action), and otherwise at least every {@link
 * #INTERVAL_NANOS}. A result is seen as soon as it is known, and a fast run does not pay a write
 * per device. Every flush also stops the command once standard output's reader has gone ({@link
 * Main#checkOutput}: {@code vcap plan ... | head} ends when {@code head} does).
 */
final class OutputPace {

    static final long INTERVAL_NANOS = 100_000_000L;

    /** What flushing the command's output means (a generator, a writer). */
    interface Flush {
        void flush() throws IOException;
    }

    private final Main main;
    private final Flush flush;
    private long last = System.nanoTime();

    OutputPace(Main main, Flush flush) {
        this.main = main;
        this.flush = flush;
    }

    /** After a device's result is written: flushes when the interval has passed. */
    void afterDevice() {
        if (System.nanoTime() - last >= INTERVAL_NANOS) {
            now();
        }
    }

    /** Flushes now (the next device is late). */
    void now() {
        try {
            flush.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        last = System.nanoTime();
        main.checkOutput();
    }
}
