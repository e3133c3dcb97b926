package dev.vcap.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns command-line paths into dump files. A directory stands for the dump files below it, in
 * name order: files ending {@code .lspci}, {@code .txt}, {@code .bin}, {@code .config}, or named
 * {@code config}; {@code *.vvv.txt} ({@code lspci -vvv} text without hex) is skipped. Symbolic
 * links are followed one level deep ({@link DumpTree}); a directory without any dump file is bad
 * input.
 */
final class Inputs {

    private Inputs() {
    }

    static List<Path> expand(List<Path> paths) {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                List<Path> found;
                try {
                    found = DumpTree.files(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(new IOException(p + ": cannot list directory: " + e.getMessage(), e));
                }
                if (found.isEmpty()) {
                    throw new BadInputException(p + ": no dump files found; expected files named *.lspci, *.txt, *.bin,"
                            + " *.config or config in it or below it");
                }
                files.addAll(found);
            } else if (!Files.exists(p)) {
                throw new BadInputException(p + ": no such file or directory");
            } else {
                files.add(p);
            }
        }
        return files;
    }

    static boolean isDumpName(Path p) {
        String n = p.getFileName().toString();
        if (n.startsWith(".") || n.endsWith(".vvv.txt")) {
            return false;
        }
        return n.endsWith(".lspci") || n.endsWith(".txt") || n.endsWith(".bin") || n.endsWith(".config")
                || n.equals("config");
    }
}
