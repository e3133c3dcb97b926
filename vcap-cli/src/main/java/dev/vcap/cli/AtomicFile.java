package dev.vcap.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

    /**
     * Checks, before any work, that {@code target} can be written: not a directory, in a directory
     * that exists and is writable. Commands call it for every output option first, so a typo in
     * an output path costs nothing.
     *
     * @throws BadInputException naming the target and what is wrong (exit 3)
     */
    static void checkWritable(Path target) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (Files.isDirectory(abs)) {
            throw new BadInputException(target + ": is a directory; expected a file name to write");
        }
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(target + ": cannot write: " + (Files.exists(dir) ? dir + " is not a directory"
                    : "directory " + dir + " does not exist"));
        }
        if (!Files.isWritable(dir)) {
            throw new BadInputException(target + ": cannot write: directory " + dir + " is not writable");
        }
    }

    /** @throws BadInputException when the target's directory cannot take a file (exit 3) */
    static AtomicFile create(Path target) {
        checkWritable(target);
        Path abs = target.toAbsolutePath();
        try {
            return new AtomicFile(abs, abs.getParent().resolve("." + abs.getFileName() + "." + ProcessHandle.current()
                    .pid() + "." + Long.toHexString(System.nanoTime()) + ".tmp"));
        } catch (IOException e) {
            throw cannotWrite(target, e);
        }
    }

    /** Writes {@code bytes} to {@code target} atomically. */
    static void write(Path target, byte[] bytes) {
        try (AtomicFile f = create(target)) {
            f.stream().write(bytes);
            f.commit();
        } catch (IOException e) {
            throw cannotWrite(target, e);
        }
    }

    /** The error for a failed write: about the target, never the temporary file beside it. */
    private static BadInputException cannotWrite(Path target, IOException e) {
        String why = switch (e) {
            case NoSuchFileException x -> "its directory does not exist";
            case AccessDeniedException x -> "permission denied";
            case FileSystemException fs -> fs.getReason() != null ? fs.getReason() : "the file system refused it";
            default -> e.getMessage();
        };
        return new BadInputException(target + ": cannot write: " + why);
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
