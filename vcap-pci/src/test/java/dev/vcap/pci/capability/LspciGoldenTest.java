package dev.vcap.pci.capability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.pci.testing.Corpus;
import dev.vcap.pci.testing.Lspci;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Golden test against pciutils 3.9: for every corpus dump lspci reads, the list of (space, offset,
 * ID, version) vcap finds equals the {@code Capabilities:} lines of {@code lspci -F FILE -vvv}.
 * Exceptions, each where pciutils is demonstrably wrong, are listed in {@link #EXCEPTIONS} and in
 * docs/CORRECTNESS.md.
 */
class LspciGoldenTest {

    /** File name -> why pciutils' answer is not the reference for it. */
    static final Map<String, String> EXCEPTIONS = Map.of();

    @Test
    void everyCorpusDumpMatchesLspci() throws Exception {
        Lspci.require();
        List<Path> files = Corpus.lspciDumps();
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        int capabilities = 0;
        for (Path file : files) {
            String name = file.getFileName().toString();
            List<List<Lspci.Line>> expected = Lspci.capabilities(Lspci.verbose(file));
            if (expected.isEmpty() || EXCEPTIONS.containsKey(name)) {
                continue; // lspci could not read it (see the manifest), or a documented exception
            }
            List<DeviceImage> devices = Dumps.readAll(file);
            assertThat(devices).as(name).hasSameSizeAs(expected);
            for (int d = 0; d < devices.size(); d++) {
                String problem = compare(CapabilityChain.walk(devices.get(d).config()), expected.get(d));
                if (problem != null) {
                    mismatches.add(name + " " + devices.get(d).address() + ": " + problem);
                }
                compared++;
                capabilities += expected.get(d).size();
            }
        }
        assertThat(mismatches).as("devices where vcap and lspci disagree (%d compared, %d capabilities)", compared,
                capabilities).isEmpty();
        assertThat(compared).as("devices compared").isGreaterThan(500);
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
