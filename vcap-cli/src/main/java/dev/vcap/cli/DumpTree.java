package dev.vcap.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The dump files below a directory ({@link Inputs#isDumpName}), in path order. Symbolic links are
 * followed one level deep: a link met in a directory reached without one is followed, to a
 * directory or a file; a link met inside a directory reached through a link is not. So
 * {@code /sys/bus/pci/devices}, a directory of links to every function, reads each function's
 * {@code config} and the functions below a bridge, but not what each function links to — its bus,
 * driver, IOMMU group and firmware node, through which every link followed would walk all of
 * {@code /sys}. Every real directory and file is read once, so a link loop, or a file reached by
 * two paths, costs nothing. Broken links are skipped.
 */
final class DumpTree {

    private final Set<Path> directories = new HashSet<>();
    private final Set<Path> files = new HashSet<>();
    private final List<Path> found = new ArrayList<>();

    private DumpTree() {
    }

    static List<Path> files(Path directory) throws IOException {
        DumpTree tree = new DumpTree();
        tree.walk(directory, false);
        tree.found.sort(null);
        return tree.found;
    }

    private void walk(Path dir, boolean throughLink) throws IOException {
        if (!directories.add(dir.toRealPath())) {
            return;
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        }
        entries.sort(null);
        for (Path entry : entries) {
            BasicFileAttributes own = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            BasicFileAttributes target = own;
            if (own.isSymbolicLink()) {
                if (throughLink) {
                    continue;
                }
                try {
                    target = Files.readAttributes(entry, BasicFileAttributes.class);
                } catch (IOException broken) {
                    continue;
                }
            }
            if (target.isDirectory()) {
                walk(entry, throughLink || own.isSymbolicLink());
            } else if (target.isRegularFile() && Inputs.isDumpName(entry) && files.add(entry.toRealPath())) {
                found.add(entry);
            }
        }
    }
}
