package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.LspciTextWriter;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code plan}, {@code survey} and {@code inspect} stream: the first device's result
 * reaches standard output while the input is still open and its last device not yet written (a
 * named pipe, written by the test device by device), and the finished output is the same clean
 * machine output a file gives, with nothing of a progress bar in it.
 */
class StreamingTest {

    @TempDir
    Path tmp;

    private static final long WAIT_SECONDS = 60;

    @ParameterizedTest
    @ValueSource(strings = {"plan --pasid --pri", "plan --pasid --pri --json", "survey --no-shipped-quirks",
        "survey --no-shipped-quirks --json", "inspect --json", "inspect"})
    void theFirstResultAppearsBeforeTheLastDeviceIsRead(String command) throws Exception {
        Path fifo = Files.createDirectories(tmp.resolve("a")).resolve("devices.lspci");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo not available");
        byte[] first = lspci(1, 1);
        byte[] rest = lspci(2, 3);
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.add(fifo.toString());

        Watched out = new Watched();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Main.run(args.toArray(String[]::new),
                out, err));
        try (OutputStream pipe = Files.newOutputStream(fifo)) {
            pipe.write(first);
            pipe.flush();
            // the first device's address on standard output while the pipe is still open
            assertThat(out.awaitText("0000:01:00.0", WAIT_SECONDS)).as("%s printed the first device before the"
                    + " last was written; output so far: %s; stderr: %s", command, out, err).isTrue();
            assertThat(out.toString()).doesNotContain("0000:03:00.0");
            pipe.write(rest);
        }
        int code = run.get(WAIT_SECONDS, TimeUnit.SECONDS);
        String text = out.toString();
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isIn(ExitCodes.OK, ExitCodes.REFUSED);
        assertThat(text).contains("0000:03:00.0").doesNotContain("\r").doesNotContain("[#");
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("[#");

        // a path of the same length: survey's columns stay where they were
        Path file = Files.write(Files.createDirectories(tmp.resolve("b")).resolve("devices.lspci"), concat(first, rest));
        args.set(args.size() - 1, file.toString());
        CliRun fromFile = CliRun.of(args.toArray(String[]::new));
        assertThat(fromFile.exitCode()).isEqualTo(code);
        // survey's closing lines name the input; everything else is the same bytes
        assertThat(text.replace(fifo.toString(), file.toString())).isEqualTo(fromFile.out());
        if (command.contains("--json")) {
            JsonNode devices = new ObjectMapper().readTree(text).path("devices");
            assertThat(devices.size()).as(text).isEqualTo(3);
        }
    }

    /** Devices with a PASID capability at buses {@code from..to}, as lspci -xxxx prints them. */
    private static byte[] lspci(int from, int to) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LspciTextWriter w = new LspciTextWriter(bytes);
        for (int bus = from; bus <= to; bus++) {
            w.write(new DeviceImage(new PciAddress(0, bus, 0, 0), "Test device " + bus,
                    TestDevices.clean().build(), "built"));
        }
        return bytes.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** Standard output as the command flushes it, for a test thread to wait on. */
    private static final class Watched extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            notifyAll();
        }

        synchronized boolean awaitText(String text, long seconds) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!toString().contains(text)) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }

        @Override
        public synchronized String toString() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
