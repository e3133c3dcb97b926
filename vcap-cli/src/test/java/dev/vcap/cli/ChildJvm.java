package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.LspciTextWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged CLI in a child JVM, as a user starts it: for the integration tests that hold the
 * built artifacts (the jar and its {@code lib/}, the modules) to what the in-process tests check.
 */
final class ChildJvm {

    record Run(int exitCode, String out, String err) {
    }

    private ChildJvm() {
    }

    /**
     * Runs this JDK's {@code java} with {@code jvmArgs} then {@code args} in {@code dir}, standard input
     * closed; standard error is drained while standard output is read, so neither can fill and stall.
     */
    static Run java(Path dir, List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).start();
        p.getOutputStream().close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = Thread.ofVirtual().start(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("vcap %s ends", String.join(" ", args)).isTrue();
        drain.join();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** An lspci dump of one Intel DSA (with PASID and PRI) at 01:00.0, written to {@code dir}. */
    static Path dsaDump(Path dir) throws IOException {
        Path dump = dir.resolve("dsa.lspci");
        try (OutputStream out = Files.newOutputStream(dump)) {
            new LspciTextWriter(out).write(new DeviceImage(new PciAddress(0, 1, 0, 0), "Intel DSA",
                    MigrationCommandsTest.model().build(), "dsa.lspci"));
        }
        return dump;
    }
}
