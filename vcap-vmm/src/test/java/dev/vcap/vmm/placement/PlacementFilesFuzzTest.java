package dev.vcap.vmm.placement;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.vmm.files.FileFormatException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fuzzes the operator file parsers, {@link QuirkTable#with(java.io.Reader, String)} and
 * {@link LayoutFile#parse(java.io.Reader, String)}, with arbitrary text (the input decoded as
 * UTF-8). Invariants: each returns a value or throws {@link FileFormatException} naming the file
 * and a line inside it (0 only for the whole file), nothing else; what it returns holds what the
 * parser promises (ids, ranges and offsets inside config space, aligned, one entry per offset,
 * only PASID, PRI and ATS synthesized).
 *
 * <p>Regression inputs: {@code src/test/resources/dev/vcap/vmm/placement/PlacementFilesFuzzTestInputs/quirks/}
 * and {@code .../layout/}.
 */
class PlacementFilesFuzzTest {

    static final String NAME = "fuzz.yaml";

    @FuzzTest(maxDuration = "30s")
    void quirks(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        QuirkTable table;
        try {
            table = QuirkTable.empty().with(new StringReader(text), NAME);
        } catch (FileFormatException e) {
            checkError(e, text);
            return;
        }
        Set<String> ids = new HashSet<>();
        for (Quirk q : table.all()) {
            assertThat(q.id()).matches("[a-z0-9][a-z0-9-]*");
            assertThat(ids.add(q.id())).isTrue();
            assertThat(q.forbidden().isEmpty() && q.preferred().isEmpty()).isFalse();
            assertThat(q.source()).isNotEmpty().isEqualTo(q.source().trim());
            for (Quirk.Forbidden f : q.forbidden()) {
                assertThat(f.range().start()).isBetween(0, ConfigSpace.EXTENDED_SIZE - 1);
                assertThat(f.range().end()).isBetween(f.range().start() + 1, ConfigSpace.EXTENDED_SIZE);
            }
            for (Quirk.Preferred p : q.preferred()) {
                assertThat(p.offset()).isBetween(0x40, 0xFFC);
                assertThat(p.offset() % 4).isZero();
            }
            checkMatch(q.match());
        }
    }

    @FuzzTest(maxDuration = "30s")
    void layout(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        LayoutFile layout;
        try {
            layout = LayoutFile.parse(new StringReader(text), NAME);
        } catch (FileFormatException e) {
            checkError(e, text);
            return;
        }
        Set<String> offsets = new HashSet<>();
        for (LayoutFile.Entry e : layout.entries()) {
            boolean standard = e.space() == CapabilitySpace.STANDARD;
            assertThat(e.offset()).isBetween(standard ? 0x40 : 0x100, standard ? 0xFC : 0xFFC);
            assertThat(e.offset() % 4).isZero();
            assertThat(e.id()).isBetween(0, standard ? 0xFF : 0xFFFF);
            assertThat(offsets.add(e.space() + "@" + e.offset())).as("one entry per offset").isTrue();
            if (e.disposition() == LayoutFile.Disposition.SYNTHESIZE) {
                SyntheticCapability c = LayoutFile.synthetic(e.space(), e.id()).orElseThrow();
                assertThat(e.offset() + c.length()).isLessThanOrEqualTo(ConfigSpace.EXTENDED_SIZE);
            }
            assertThat(e.line()).isBetween(1, lines(text));
        }
        checkMatch(layout.match());
        assertThat(layout.origin()).isEqualTo(NAME);
    }

    static void checkMatch(DeviceMatch m) {
        assertThat(m.vendors()).isNotEmpty().allSatisfy(v -> assertThat(v).isBetween(0, 0xFFFF));
        for (List<Integer> ids : List.of(m.devices(), m.subsystemVendors(), m.subsystems())) {
            assertThat(ids).allSatisfy(v -> assertThat(v).isBetween(0, 0xFFFF));
        }
        assertThat(m.revisions()).allSatisfy(v -> assertThat(v).isBetween(0, 0xFF));
        assertThat(m.classMask()).isBetween(0, 0xFFFFFF);
        if (m.classCode() != null) {
            assertThat(m.classCode()).isBetween(0, 0xFFFFFF);
        }
    }

    static void checkError(FileFormatException e, String text) {
        assertThat(e.file()).isEqualTo(NAME);
        assertThat(e.getMessage()).startsWith(NAME + (e.line() > 0 ? ":" + e.line() + ": " : ": "));
        assertThat(e.line()).as("line of %s", e.getMessage()).isBetween(0, lines(text) + 1);
    }

    /** Lines as YAML counts them (LF, CR LF, CR, NEL, LS and PS end a line). */
    static int lines(String text) {
        int n = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\u0085' || c == '\u2028' || c == '\u2029'
                    || c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n')) {
                n++;
            }
        }
        return n;
    }
}
