package dev.vcap.vmm.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.pci.occupancy.ByteRange;
import dev.vcap.vmm.files.FileFormatException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quirk files: what they match, how operator files extend the table, and one test per error. */
class QuirkTableTest {

    @TempDir
    Path tmp;

    static final String GOOD = """
            version: 1
            quirks:
              - id: be2net
                description: hidden registers
                match:
                  vendor: [0x19a2, 0x10df]
                  device: 0x0710
                forbid:
                  - {range: 0x044-0x047, reason: PCICFG_A}
                  - {range: 0x0fc-0x0ff, reason: PCICFG_B}
                source: be_hw.h
              - id: vendor-wide
                match: {vendor: 0x19a2, class: 0x020000, classMask: 0xff0000}
                prefer: [{capability: any, offset: 0xe00, reason: R}]
                source: a list
            """;

    static QuirkTable table(String text) {
        return QuirkTable.empty().with(new StringReader(text), "q.yaml");
    }

    static void assertError(String text, int line, String field, String message) {
        assertThatThrownBy(() -> table(text)).isInstanceOf(FileFormatException.class)
                .hasMessage("q.yaml" + (line > 0 ? ":" + line : "") + ": " + (field.isEmpty() ? "" : field + ": ") + message);
    }

    static final DeviceIdentity BE2NET = new DeviceIdentity(0x19a2, 0x0710, 0x10df, 0xe602, 1, 0x020000);

    @Test
    void entriesMatchOnEveryGivenKeyMostSpecificFirst() {
        QuirkTable t = table(GOOD);
        assertThat(t.matching(BE2NET)).extracting(Quirk::id).containsExactly("be2net", "vendor-wide");
        assertThat(t.matching(new DeviceIdentity(0x10df, 0x0710, 0, 0, 0, 0x020000))).extracting(Quirk::id)
                .containsExactly("be2net");
        assertThat(t.matching(new DeviceIdentity(0x19a2, 0x0711, 0, 0, 0, 0x028000))).extracting(Quirk::id)
                .containsExactly("vendor-wide");
        assertThat(t.matching(new DeviceIdentity(0x19a2, 0x0711, 0, 0, 0, 0x030000))).isEmpty();
        assertThat(t.all().get(0).forbidden()).extracting(Quirk.Forbidden::range)
                .containsExactly(new ByteRange(0x44, 0x48), new ByteRange(0xFC, 0x100));
        assertThat(t.all().get(1).preferred().get(0).appliesTo(SyntheticCapability.PRI)).isTrue();
        assertThat(t.all().get(0).origin()).isEqualTo("q.yaml:3");
    }

    @Test
    void anOperatorFileExtendsAndOverridesById() throws Exception {
        Path mine = Files.writeString(tmp.resolve("mine.yaml"), """
                version: 1
                quirks:
                  - id: be2net
                    match: {vendor: 0x19a2}
                    forbid: [{range: 0x080-0x083, reason: MINE}]
                    source: our lab
                  - id: extra
                    match: {vendor: 0x1234}
                    forbid: [{range: 0x100-0x103, reason: X}]
                    source: our lab
                """);
        QuirkTable t = table(GOOD).with(mine);
        assertThat(t.all()).extracting(Quirk::id).containsExactly("be2net", "vendor-wide", "extra");
        assertThat(t.all().get(0).forbidden()).singleElement().extracting(Quirk.Forbidden::reason).isEqualTo("MINE");
    }

    @Test
    void missingVendor() {
        assertError("""
                version: 1
                quirks:
                  - id: a
                    match: {device: 0x1}
                    forbid: [{range: 0x40-0x43, reason: r}]
                    source: s
                """, 4, "quirks[0].match.vendor", "missing; this field is required");
    }

    @Test
    void notANumber() {
        assertError("""
                version: 1
                quirks:
                  - id: a
                    match: {vendor: 0xzz}
                    forbid: [{range: 0x40-0x43, reason: r}]
                    source: s
                """, 4, "quirks[0].match.vendor", "'0xzz' is not a number; expected decimal or 0x-hex");
    }

    @Test
    void vendorOutOfRange() {
        assertError("""
                version: 1
                quirks:
                  - id: a
                    match: {vendor: 0x10000}
                    forbid: [{range: 0x40-0x43, reason: r}]
                    source: s
                """, 4, "quirks[0].match.vendor", "0x10000 is out of range; expected 0x0..0xffff");
    }

    @Test
    void reversedRange() {
        assertError("""
                version: 1
                quirks:
                  - id: a
                    match: {vendor: 1}
                    forbid:
                      - range: 0x50-0x40
                        reason: r
                    source: s
                """, 6, "quirks[0].forbid[0].range", "'0x50-0x40' ends before it starts; expected START-LAST with START <= LAST");
    }

    @Test
    void unalignedPreferredOffset() {
        assertError("""
                version: 1
                quirks:
                  - id: a
                    match: {vendor: 1}
                    prefer:
                      - capability: PASID
                        offset: 0x102
                    source: s
                """, 7, "quirks[0].prefer[0].offset", "0x102 is not dword aligned; expected a multiple of 4");
    }

    @Test
    void unknownCapabilityName() {
        assertError("""
                version: 1
                quirks:
                  - id: a
                    match: {vendor: 1}
                    prefer: [{capability: FOO, offset: 0x100}]
                    source: s
                """, 5, "quirks[0].prefer[0].capability",
                "'FOO' is not allowed; expected one of [ANY, ATS, GPUDIRECT, PASID, PRI, VMD_SHADOW]");
    }

    @Test
    void unknownField() {
        assertError("""
                version: 1
                quirks:
                  - id: a
                    match: {vendor: 1}
                    forbid: [{range: 0x40-0x43, reason: r}]
                    sauce: s
                """, 6, "quirks[0].sauce", "unknown field; expected one of [description, forbid, id, match, prefer, source]");
    }

    @Test
    void duplicateId() {
        assertError("""
                version: 1
                quirks:
                  - {id: a, match: {vendor: 1}, forbid: [{range: 0x40, reason: r}], source: s}
                  - {id: a, match: {vendor: 2}, forbid: [{range: 0x40, reason: r}], source: s}
                """, 4, "quirks[1].id", "duplicate id 'a' in this file; expected each id once");
    }

    @Test
    void entryWithoutEffect() {
        assertError("""
                version: 1
                quirks:
                  - {id: a, match: {vendor: 1}, source: s}
                """, 3, "quirks[0]", "entry 'a' neither forbids ranges nor prefers offsets; expected 'forbid' or 'prefer'");
    }

    @Test
    void missingSource() {
        assertError("""
                version: 1
                quirks:
                  - {id: a, match: {vendor: 1}, forbid: [{range: 0x40, reason: r}]}
                """, 3, "quirks[0].source", "missing; this field is required");
    }

    /** The hole PlacementFilesFuzzTest#layout found in layout files, checked here for quirk entries. */
    @Test
    void aMatchWithAnEmptyVendorList() {
        assertError("""
                version: 1
                quirks:
                  - id: a
                    match: {vendor: [], device: 0x1234}
                    forbid: [{range: 0x40-0x43, reason: r}]
                    source: s
                """, 4, "quirks[0].match.vendor",
                "an empty list matches no device; expected at least one ID (leave the field out to match any)");
    }

    @Test
    void unsupportedVersion() {
        assertError("version: 2\nquirks: []\n", 1, "version", "unsupported version 2; expected 1");
    }

    @Test
    void notYaml() {
        assertThatThrownBy(() -> table("version: 1\nquirks: [\n  - id: a\n")).isInstanceOf(FileFormatException.class)
                .hasMessageStartingWith("q.yaml:").hasMessageContaining("not valid YAML");
    }

    @Test
    void emptyFile() {
        assertError("", 0, "", "the file is empty; expected a YAML mapping");
    }

    /** One test per way a file is not YAML text: the message names file, line and byte, and what was expected. */
    @Test
    void binaryFile() throws Exception {
        Path elf = Files.write(tmp.resolve("elf.yaml"), new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1, 0});
        assertThatThrownBy(() -> QuirkTable.empty().with(elf)).isInstanceOf(FileFormatException.class)
                .hasMessage(elf + ":1: binary data: control character 0x7f at offset 0, which YAML does not allow;"
                        + " expected a quirk table (YAML text, docs/QUIRKS.md)");
    }

    @Test
    void notUtf8() throws Exception {
        Path latin1 = Files.write(tmp.resolve("latin1.yaml"), "version: 1\n# caf\u00e9\n".getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> QuirkTable.empty().with(latin1)).isInstanceOf(FileFormatException.class)
                .hasMessage(latin1 + ":2: not text: byte 0xe9 at offset 16 is not UTF-8; expected a quirk table (YAML"
                        + " text, docs/QUIRKS.md)");
    }

    @Test
    void missingFile() {
        assertThatThrownBy(() -> QuirkTable.empty().with(tmp.resolve("none.yaml"))).isInstanceOf(FileFormatException.class)
                .hasMessage(tmp.resolve("none.yaml") + ": no such file");
    }
}
