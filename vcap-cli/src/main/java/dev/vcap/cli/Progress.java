package dev.vcap.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A progress bar on standard error for long runs: {@code survey [#######-------] 123/921 files},
 * redrawn in place with a carriage return and ended with a newline. The bar fills with the bytes of
 * input read, so one large file moves it as well as many small ones; the count is of inputs done.
 *
 * <p>It draws when asked ({@code --progress}), from the start; or, when standard error is a
 * terminal, once the run has lasted {@link #DELAY_NANOS}, so a quick run prints no bar. Logs and
 * pipes stay clean: nothing is drawn on standard output, nor on a standard error that is not a
 * terminal unless asked. Results streamed to the same terminal would land inside the bar, so
 * {@link Main} wraps the terminal's streams in {@link #erasingBar}: the bar is erased before anything
 * else is written there, and drawn again at the next device.
 */
final class Progress implements AutoCloseable {

    static final int WIDTH = 30;
    /** How long a run on a terminal goes before its bar appears. */
    static final long DELAY_NANOS = 1_000_000_000L;
    /** How often a bar erased by other output, or with a stale count, is drawn again. */
    static final long REDRAW_NANOS = 200_000_000L;

    /** The bar on the terminal now, if any: erased before other output reaches the terminal. */
    private static volatile Progress shown;

    private final PrintWriter err;
    private final String label;
    private final long[] sizes;
    private final long totalBytes;
    private final boolean enabled;
    private final boolean delayed;
    private final long started = System.nanoTime();
    private int done;
    private long bytesDone;
    /** Bytes of the current input read so far, reported by the thread that reads it. */
    private volatile long reading;
    private int lastPercent = -1;
    private int lastDone = -1;
    private long lastDraw;
    private int drawnLength;
    private boolean everDrawn;

    /**
     * A bar over {@code inputs}, drawn when {@code asked} or, after a delay, when standard error is
     * a terminal.
     */
    static Progress over(PrintWriter err, String label, List<DeviceInputs.DeviceInput> inputs, boolean asked) {
        return new Progress(err, label, inputs.stream().mapToLong(DeviceInputs.DeviceInput::size).toArray(),
                asked || isTerminal(2), !asked);
    }

    Progress(PrintWriter err, String label, long[] sizes, boolean enabled, boolean delayed) {
        this.err = err;
        this.label = label;
        this.sizes = sizes;
        long total = 0;
        for (long s : sizes) {
            total += s;
        }
        this.totalBytes = total;
        this.enabled = enabled && sizes.length > 0;
        this.delayed = delayed;
        update(false);
    }

    /** Whether a file descriptor of this process (1 standard output, 2 standard error) is a terminal (Linux). */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return false;
        }
    }

    /** Where the reader of the current input reports the bytes it has read ({@code Dumps.open}). */
    LongConsumer reading() {
        return read -> reading = read;
    }

    /** One device done: the bar moves if its percent changed or it was erased. */
    void device() {
        update(false);
    }

    /** One input done. */
    void step() {
        if (done < sizes.length) {
            bytesDone += sizes[done];
        }
        done++;
        reading = 0;
        update(done == sizes.length);
    }

    private void update(boolean last) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (delayed && now - started < DELAY_NANOS) {
            return;
        }
        int percent = percent();
        boolean stale = shown != this || done != lastDone;
        if (percent == lastPercent && !(last && done != lastDone) && !(stale && now - lastDraw >= REDRAW_NANOS)) {
            return;
        }
        lastPercent = percent;
        lastDone = done;
        lastDraw = now;
        int filled = percent * WIDTH / 100;
        String bar = "\r" + label + " [" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + done + "/"
                + sizes.length + " files";
        shown = null; // the bar's own output does not erase it
        err.print(bar);
        err.flush();
        drawnLength = bar.length() - 1;
        everDrawn = true;
        shown = this;
    }

    private int percent() {
        if (done >= sizes.length) {
            return 100;
        }
        if (totalBytes > 0) {
            return (int) Math.min(100, 100 * (bytesDone + Math.min(reading, sizes[done])) / totalBytes);
        }
        return 100 * done / sizes.length;
    }

    /** Clears the bar's line, leaving the cursor at its start. */
    private void erase() {
        shown = null;
        err.print("\r" + " ".repeat(drawnLength) + "\r");
        err.flush();
    }

    @Override
    public void close() {
        if (everDrawn) {
            if (done != lastDone) {
                update(true);
            }
            shown = null;
            err.println();
            err.flush();
        }
    }

    /**
     * {@code terminal} with any bar on it erased before each write, for a terminal that shows both
     * the bar and other output.
     */
    static OutputStream erasingBar(OutputStream terminal) {
        return new FilterOutputStream(terminal) {
            @Override
            public void write(int b) throws IOException {
                eraseShown();
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                eraseShown();
                out.write(b, off, len);
            }
        };
    }

    private static void eraseShown() {
        Progress p = shown;
        if (p != null) {
            p.erase();
        }
    }
}
