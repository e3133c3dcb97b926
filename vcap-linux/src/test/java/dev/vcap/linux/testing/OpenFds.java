package dev.vcap.linux.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The process's open descriptors, from /proc/self/fd: tests assert none is left behind. */
public final class OpenFds {

    private OpenFds() {
    }

    /** How many descriptors this process has open now (the listing's own is counted every time alike). */
    public static long count() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
