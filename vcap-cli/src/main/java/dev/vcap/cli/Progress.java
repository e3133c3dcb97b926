package dev.vcap.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A progress bar on standard error for long runs: {@code survey [#######-------] 123/921 files},
 * redrawn in place with a carriage return, at most once per percent, and ended with a newline.
 * It draws only when asked ({@code --progress}) or when standard error is a terminal, so logs and
 * pipes stay clean.
 */
final class Progress implements AutoCloseable {

    static final int WIDTH = 30;

    private final PrintWriter err;
    private final String label;
    private final int total;
    private final boolean enabled;
    private int done;
    private int lastDrawn = -1;

    Progress(PrintWriter err, String label, int total, boolean enabled) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.enabled = enabled && total > 0;
        draw();
    }

    /** Whether this process's standard error is a terminal (Linux: fd 2 is a tty or pty). */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return false;
        }
    }

    void step() {
        done++;
        draw();
    }

    private void draw() {
        if (!enabled) {
            return;
        }
        int permille = (int) (1000L * done / total);
        if (permille / 10 == lastDrawn / 10 && done != total) {
            return;
        }
        lastDrawn = permille;
        int filled = (int) ((long) WIDTH * done / total);
        err.print("\r" + label + " [" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + done + "/" + total
                + " files");
        err.flush();
    }

    @Override
    public void close() {
        if (enabled) {
            err.println();
            err.flush();
        }
    }
}
