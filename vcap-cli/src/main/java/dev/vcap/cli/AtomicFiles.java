package dev.vcap.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes output files so that nothing half-written is left behind: a temporary file, then a rename. */
final class AtomicFiles {

    /** Writes the content of {@code body} to {@code target}. */
    interface Body {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    static void write(Path target, Body body) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                body.write(out);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the write already failed; the temporary file is all that could be left
                }
            }
            throw new UncheckedIOException(new IOException(target + ": cannot write: " + e.getMessage(), e));
        }
    }

    static void write(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }
}
