package dev.vcap.pci.testing;

import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.pci.dump.LspciTextWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every corpus device, written into one {@code lspci -xxxx} file with unique addresses and short
 * descriptions, and {@code lspci -F FILE -vvv}'s output for it — made once per test JVM, so that
 * golden tests run lspci once instead of once per dump. Device i of {@link #devices()} is device
 * i of {@link #lines()}: addresses increase with i (domain i / 256, bus i % 256), as lspci sorts.
 *
 * @param devices every readable corpus device, in file order (files without a header line are skipped)
 * @param lines   lspci's capability lines per device
 * @param output  lspci's whole output
 */
public record CorpusLspci(List<DeviceImage> devices, List<List<Lspci.Line>> lines, String output) {

    private static CorpusLspci instance;

    /** The run; skips the calling test when the corpus or lspci is absent. */
    public static synchronized CorpusLspci get() throws IOException, InterruptedException {
        Corpus.require();
        Lspci.require();
        if (instance == null) {
            List<DeviceImage> devices = new ArrayList<>();
            for (Path file : Corpus.dumps()) {
                try {
                    devices.addAll(Dumps.readAll(file));
                } catch (DumpFormatException e) {
                    // the two files without a device header line; CorpusReadTest covers them
                }
            }
            Path all = Files.createTempFile("vcap-corpus", ".lspci");
            try {
                try (OutputStream out = Files.newOutputStream(all)) {
                    LspciTextWriter writer = new LspciTextWriter(out);
                    for (int i = 0; i < devices.size(); i++) {
                        DeviceImage d = devices.get(i);
                        writer.write(new DeviceImage(new PciAddress(i >> 8, i & 0xFF, 0, 0), "corpus device", d.config(),
                                d.origin()));
                    }
                }
                String output = Lspci.verbose(all);
                instance = new CorpusLspci(List.copyOf(devices), Lspci.capabilities(output), output);
            } finally {
                Files.deleteIfExists(all);
            }
        }
        return instance;
    }
}
