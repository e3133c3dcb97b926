package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command-line paths to dump files: directories, symbolic links, loops, empty directories. */
class InputsTest {

    @TempDir
    Path tmp;

    private Path file(String relative) throws IOException {
        Path f = tmp.resolve(relative);
        Files.createDirectories(f.getParent());
        Files.writeString(f, "00:00.0 dump\n");
        return f;
    }

    private Path link(String relative, String target) throws IOException {
        Path l = tmp.resolve(relative);
        Files.createDirectories(l.getParent());
        return Files.createSymbolicLink(l, Path.of(target));
    }

    @Test
    void symlinkedDirectoriesAndFilesAreFollowed() throws IOException {
        file("elsewhere/hostA/a.lspci");
        file("elsewhere/b.lspci");
        link("dumps/hostA", "../elsewhere/hostA");
        link("dumps/b.lspci", "../elsewhere/b.lspci");
        file("dumps/c.lspci");
        assertThat(Inputs.expand(List.of(tmp.resolve("dumps")))).containsExactly(tmp.resolve("dumps/b.lspci"),
                tmp.resolve("dumps/c.lspci"), tmp.resolve("dumps/hostA/a.lspci"));
    }

    @Test
    void aLinkLoopIsWalkedOnceAndAFileReachedTwiceIsReadOnce() throws IOException {
        file("dumps/a.lspci");
        link("dumps/sub/up", "../..");
        link("dumps/again", ".");
        link("dumps/twice.lspci", "a.lspci");
        assertThat(Inputs.expand(List.of(tmp.resolve("dumps")))).containsExactly(tmp.resolve("dumps/a.lspci"));
    }

    /**
     * sysfs: {@code /sys/bus/pci/devices} links to every function's directory, which holds its
     * {@code config}, the directories of the functions below it (a bridge) and links to its bus,
     * driver and IOMMU group. Each function's config is read once; the links inside a linked
     * directory are not followed.
     */
    @Test
    void aSysfsLikeTreeReadsEachFunctionOnceAndNotWhatItLinksTo() throws IOException {
        Path port = file("sys/devices/pci0000:00/0000:00:1c.0/config");
        Path behind = file("sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/config");
        file("sys/bus/pci/drivers/pcieport/not-a-device.lspci");
        link("sys/devices/pci0000:00/0000:00:1c.0/driver", "../../../bus/pci/drivers/pcieport");
        link("sys/devices/pci0000:00/0000:00:1c.0/subsystem", "../../../bus/pci");
        link("sys/bus/pci/devices/0000:00:1c.0", "../../../devices/pci0000:00/0000:00:1c.0");
        link("sys/bus/pci/devices/0000:01:00.0", "../../../devices/pci0000:00/0000:00:1c.0/0000:01:00.0");
        List<Path> files = Inputs.expand(List.of(tmp.resolve("sys/bus/pci/devices")));
        assertThat(files).hasSize(2);
        assertThat(files.stream().map(p -> {
            try {
                return p.toRealPath();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        })).containsExactlyInAnyOrder(port.toRealPath(), behind.toRealPath());
    }

    @Test
    void aDirectoryWithoutDumpFilesIsBadInput() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("notes.md"), "no dumps here\n");
        assertThatThrownBy(() -> Inputs.expand(List.of(empty))).isInstanceOf(BadInputException.class)
                .hasMessage(empty + ": no dump files found; expected files named *.lspci, *.txt, *.bin, *.config or"
                        + " config in it or below it");
        for (String command : List.of("inspect", "survey", "plan", "pool")) {
            CliRun run = command.equals("plan") || command.equals("pool")
                    ? CliRun.of(command, empty.toString(), "--pasid") : CliRun.of(command, empty.toString());
            assertThat(run.exitCode()).as(command).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(run.err()).as(command).isEqualTo("vcap: " + empty + ": no dump files found; expected files named"
                    + " *.lspci, *.txt, *.bin, *.config or config in it or below it\n");
        }
    }
}
