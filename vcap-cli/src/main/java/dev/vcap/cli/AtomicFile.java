package dev.vcap.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An output file written whole or not at all: the bytes go to a temporary file beside the target,
 * which {@link #commit()} renames over the target; closing without a commit deletes it. A reader
 * never sees a half-written file, and a failed run leaves an older file as it was.
 */
final class AtomicFile implements AutoCloseable {

    private final Path target;
    private final Path temp;
    private final OutputStream out;
    private boolean done;

    private AtomicFile(Path target, Path temp) throws IOException {
        this.target = target;
        this.temp = temp;
        // not Files.createTempFile: its owner-only permissions would stay on the finished file
        this.out = new BufferedOutputStream(Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), 1 << 16);
    }

    /** @throws BadInputException when the target's directory cannot take a file (exit 3) */
    static AtomicFile create(Path target) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        try {
            if (Files.isDirectory(abs)) {
                throw new BadInputException(target + ": is a directory; expected a file name to write");
            }
            return new AtomicFile(abs, dir.resolve("." + abs.getFileName() + "." + ProcessHandle.current().pid() + "."
                    + Long.toHexString(System.nanoTime()) + ".tmp"));
        } catch (IOException e) {
            throw new BadInputException(target + ": cannot write: " + e.getMessage());
        }
    }

    /** Writes {@code bytes} to {@code target} atomically. */
    static void write(Path target, byte[] bytes) {
        try (AtomicFile f = create(target)) {
            f.stream().write(bytes);
            f.commit();
        } catch (IOException e) {
            throw new BadInputException(target + ": cannot write: " + e.getMessage());
        }
    }

    OutputStream stream() {
        return out;
    }

    /** Finishes the file and puts it in place. */
    void commit() throws IOException {
        out.close();
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        done = true;
    }

    @Override
    public void close() throws IOException {
        if (!done) {
            out.close();
            Files.deleteIfExists(temp);
        }
    }
}
