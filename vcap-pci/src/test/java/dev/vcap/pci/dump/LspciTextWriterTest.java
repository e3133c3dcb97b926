package dev.vcap.pci.dump;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.testing.Corpus;
import dev.vcap.pci.testing.Lspci;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's text reads back byte-identical, in vcap and in lspci -F. */
class LspciTextWriterTest {

    @TempDir
    Path tmp;

    @Test
    void cutsDescriptionsLspciCouldNotRead() throws IOException {
        DeviceImage d = LspciTextReaderTest.read("00:00.0 " + "y".repeat(400) + "\n" + LspciTextReaderTest.hex(64)).get(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new LspciTextWriter(out).write(d);
        assertThat(out.toString(StandardCharsets.US_ASCII).lines().findFirst().orElseThrow())
                .hasSize(LspciTextWriter.MAX_HEADER_LINE);
    }

    @Test
    void writesTheFormatLspciPrints() throws IOException {
        DeviceImage d = LspciTextReaderTest.read("0000:03:00.0 Ethernet\n" + LspciTextReaderTest.hex(4096)).get(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new LspciTextWriter(out).write(d);
        String text = out.toString(StandardCharsets.US_ASCII);
        assertThat(text).startsWith("0000:03:00.0 Ethernet\n00: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f\n");
        assertThat(text).contains("\nf0: f0 f1").contains("\n100: 00 01 02").endsWith("ff0: f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd fe ff\n\n");
    }

    @Test
    void everyCorpusDeviceRoundTripsThroughVcapAndLspci() throws Exception {
        Lspci.require();
        List<DeviceImage> devices = new ArrayList<>();
        for (Path file : Corpus.dumps()) {
            try {
                devices.addAll(Dumps.readAll(file));
            } catch (DumpFormatException e) {
                // files without a header line: covered by CorpusReadTest
            }
        }
        Path written = tmp.resolve("all.lspci");
        try (OutputStream out = Files.newOutputStream(written)) {
            LspciTextWriter w = new LspciTextWriter(out);
            for (DeviceImage d : devices) {
                w.write(rename(d, devices.indexOf(d)));
            }
        }
        List<DeviceImage> again = Dumps.readAll(written);
        assertThat(again).hasSameSizeAs(devices);
        for (int i = 0; i < devices.size(); i++) {
            assertThat(again.get(i).config()).as(devices.get(i).origin()).isEqualTo(devices.get(i).config());
        }
        Process p = new ProcessBuilder("lspci", "-F", written.toString(), "-xxxx")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] lspciOut = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<DeviceImage> viaLspci = new ArrayList<>();
        try (LspciTextReader r = new LspciTextReader(new ByteArrayInputStream(lspciOut), "lspci output")) {
            r.forEachRemaining(viaLspci::add);
        }
        assertThat(viaLspci).hasSameSizeAs(devices);
        for (int i = 0; i < devices.size(); i++) {
            byte[] original = devices.get(i).config().toByteArray();
            if (!devices.get(i).config().isComplete()) {
                // lspci -xxxx prints extended space only when all 4096 bytes are present
                original = java.util.Arrays.copyOf(original, Math.min(original.length, 256));
            }
            byte[] back = viaLspci.get(i).config().slice(0, original.length);
            assertThat(back).as("lspci reading back " + devices.get(i).origin()).isEqualTo(original);
        }
    }

    /** Gives every device a unique address (the corpus reuses addresses across files). */
    private static DeviceImage rename(DeviceImage d, int index) {
        return new DeviceImage(new dev.vcap.pci.config.PciAddress(index >> 8, index & 0xFF, 0, 0), d.description(),
                d.config(), d.origin());
    }
}
