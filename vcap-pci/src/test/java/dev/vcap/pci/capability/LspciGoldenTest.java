package dev.vcap.pci.capability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.LspciTextWriter;
import dev.vcap.pci.testing.CorpusLspci;
import dev.vcap.pci.testing.Lspci;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden test against pciutils 3.9: for every corpus device, the list of (space, offset, ID,
 * version) vcap finds equals the {@code Capabilities:} lines of {@code lspci -F FILE -vvv}.
 *
 * <p>All devices are written into one file with unique addresses (the corpus reuses addresses
 * across files) and descriptions short enough for lspci's line buffer ({@link CorpusLspci}), so
 * lspci runs once and also sees the few dumps whose original header lines it rejects. Exceptions, each where
 * pciutils is demonstrably wrong, are listed in {@link #EXCEPTIONS} and in docs/CORRECTNESS.md.
 */
class LspciGoldenTest {

    /** Origin (file:line) -> why pciutils' answer is not the reference for it. */
    static final Map<String, String> EXCEPTIONS = Map.of();

    @Test
    void everyCorpusDeviceMatchesLspci() throws Exception {
        CorpusLspci run = CorpusLspci.get();
        List<DeviceImage> devices = run.devices();
        List<List<Lspci.Line>> expected = run.lines();
        assertThat(expected).as("devices lspci printed").hasSameSizeAs(devices);

        List<String> mismatches = new ArrayList<>();
        int capabilities = 0;
        for (int i = 0; i < devices.size(); i++) {
            DeviceImage d = devices.get(i);
            if (EXCEPTIONS.containsKey(d.origin())) {
                continue;
            }
            String problem = compare(CapabilityChain.walk(d.config()), expected.get(i));
            if (problem != null) {
                mismatches.add(d.origin() + ": " + problem);
            }
            capabilities += expected.get(i).size();
        }
        assertThat(mismatches).as("devices where vcap and lspci disagree (%d devices, %d capabilities)",
                devices.size(), capabilities).isEmpty();
        assertThat(devices.size()).as("devices compared").isGreaterThan(580);
        assertThat(capabilities).as("capabilities compared").isGreaterThan(1700);
    }

    /**
     * Headers pciutils refuses to decode: an all-ones image (a function in D3cold), the same with the
     * Interrupt Line the OS wrote and a zero extended space, and a valid vendor with header type
     * 0x7f. lspci prints "Unknown header type 7f" and no capability for each; vcap walks nothing.
     */
    @Test
    void headersLspciDoesNotDecodeAreNotWalked(@TempDir Path dir) throws Exception {
        Lspci.require();
        ConfigSpace allOnes = ConfigSpace.allocate(ConfigSpace.EXTENDED_SIZE);
        allOnes.fill(0, ConfigSpace.EXTENDED_SIZE, 0xFF);
        ConfigSpace lineWritten = ConfigSpace.allocate(ConfigSpace.EXTENDED_SIZE);
        lineWritten.fill(0, ConfigSpace.CONVENTIONAL_SIZE, 0xFF);
        lineWritten.setU8(Header.INTERRUPT_LINE, 0x0B);
        ConfigSpace unknownType = ConfigSpaceBuilder.endpoint(0x8086, 0x0b25).pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2).build();
        unknownType.setU8(Header.HEADER_TYPE, 0x7F);
        List<ConfigSpace> images = List.of(allOnes, lineWritten, unknownType);
        Path file = dir.resolve("refused.lspci");
        try (OutputStream out = Files.newOutputStream(file)) {
            LspciTextWriter w = new LspciTextWriter(out);
            for (int i = 0; i < images.size(); i++) {
                w.write(new DeviceImage(new PciAddress(0, i + 1, 0, 0), "Device", images.get(i), "built"));
            }
        }
        String lspci = Lspci.verbose(file);
        List<List<String>> blocks = Lspci.devices(lspci);
        assertThat(blocks).hasSize(images.size());
        for (int i = 0; i < images.size(); i++) {
            assertThat(blocks.get(i)).as("lspci on image %d", i).anyMatch(l -> l.contains("Unknown header type 7f"));
            assertThat(Lspci.capabilities(lspci).get(i)).as("lspci's capabilities of image %d", i).isEmpty();
            CapabilityChain chain = CapabilityChain.walk(images.get(i));
            assertThat(chain.all()).as("vcap's capabilities of image %d", i).isEmpty();
            assertThat(chain.undecodable()).isTrue();
        }
    }

    private static String compare(CapabilityChain chain, List<Lspci.Line> expected) {
        List<Capability> actual = chain.all().toList();
        for (int i = 0; i < Math.max(actual.size(), expected.size()); i++) {
            if (i >= actual.size()) {
                return "lspci shows more: " + expected.get(i);
            }
            if (i >= expected.size()) {
                return "vcap shows more: " + actual.get(i);
            }
            Capability a = actual.get(i);
            Lspci.Line e = expected.get(i);
            boolean same = (a.space() == CapabilitySpace.EXTENDED) == e.extended() && a.offset() == e.offset()
                    && (Lspci.ids(e) == null || Lspci.ids(e).contains(a.id()))
                    && (!e.extended() || a.version() == e.version());
            if (!same) {
                return "capability " + i + ": vcap " + a + " vs lspci [" + Integer.toHexString(e.offset())
                        + (e.extended() ? " v" + e.version() : "") + "] " + e.text();
            }
        }
        return null;
    }
}
