package dev.vcap.pci.capability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.testing.CorpusLspci;
import dev.vcap.pci.testing.Lspci;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
