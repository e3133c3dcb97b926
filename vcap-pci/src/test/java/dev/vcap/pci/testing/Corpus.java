package dev.vcap.pci.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The shared corpus of real config-space dumps ({@code ../shared/corpus} beside the project).
 * Tests that need it call {@link #require()}, which skips the test with a message when it is
 * absent.
 */
public final class Corpus {

    private Corpus() {
    }

    /** The corpus root, from the {@code vcap.corpus} system property or {@code ../shared/corpus}. */
    public static Path root() {
        String configured = System.getProperty("vcap.corpus");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        return Path.of("..", "..", "shared", "corpus").toAbsolutePath().normalize();
    }

    public static boolean present() {
        return Files.isDirectory(root().resolve("dumps"));
    }

    /** The corpus root; skips the calling test when the corpus is absent. */
    public static Path require() {
        assumeTrue(present(), () -> "shared corpus not found at " + root()
                + " (set -Dvcap.corpus=DIR); skipping corpus test");
        return root();
    }

    /** Every dump file (lspci text and binary images), sorted by name. */
    public static List<Path> dumps() {
        return list(require().resolve("dumps"), p -> !p.getFileName().toString().endsWith(".vvv.txt"));
    }

    /** lspci text dumps only. */
    public static List<Path> lspciDumps() {
        return list(require().resolve("dumps"), p -> p.getFileName().toString().endsWith(".lspci"));
    }

    /** The dumps damaged at their source. */
    public static List<Path> damaged() {
        return list(require().resolve("dumps-damaged"), p -> p.getFileName().toString().endsWith(".lspci"));
    }

    private static List<Path> list(Path dir, java.util.function.Predicate<Path> filter) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(filter).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
