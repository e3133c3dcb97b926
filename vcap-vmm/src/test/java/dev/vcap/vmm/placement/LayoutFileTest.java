package dev.vcap.vmm.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.vmm.files.FileFormatException;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** Layout files: a valid one, and one test per way one can be wrong. */
class LayoutFileTest {

    static LayoutFile parse(String text) {
        return LayoutFile.parse(new StringReader(text), "l.yaml");
    }

    static void assertError(String text, int line, String field, String message) {
        assertThatThrownBy(() -> parse(text)).isInstanceOf(FileFormatException.class)
                .hasMessage("l.yaml:" + line + ": " + (field.isEmpty() ? "" : field + ": ") + message);
    }

    static final String HEAD = "version: 1\nname: m\nmatch: {vendor: 0x8086}\ncapabilities:\n";

    @Test
    void aValidLayout() {
        LayoutFile l = parse(HEAD + """
                  - {capability: AER, offset: 0x100, disposition: passthrough}
                  - {space: standard, id: 0x10, offset: 0x40, disposition: passthrough}
                  - {capability: sr-iov, offset: 0x140, disposition: hide}
                  - {capability: PASID, offset: 0x300, disposition: synthesize}
                """);
        assertThat(l.name()).isEqualTo("m");
        assertThat(l.entries()).hasSize(4);
        assertThat(l.entries().get(1).space()).isEqualTo(CapabilitySpace.STANDARD);
        assertThat(l.entries().get(2).id()).isEqualTo(0x10);
        assertThat(l.synthesized(SyntheticCapability.PASID)).get().extracting(LayoutFile.Entry::offset).isEqualTo(0x300);
        assertThat(l.synthesized(SyntheticCapability.PRI)).isEmpty();
    }

    /** Found by PlacementFilesFuzzTest#layout: a match naming no vendor matched no device, silently. */
    @Test
    void aMatchWithAnEmptyVendorList() {
        assertError("version: 1\nname: m\nmatch: {vendor: []}\ncapabilities: []\n", 3, "match.vendor",
                "an empty list matches no device; expected at least one ID (leave the field out to match any)");
        assertError("version: 1\nname: m\nmatch:\n  vendor: 0x8086\n  device: []\ncapabilities: []\n", 5,
                "match.device", "an empty list matches no device; expected at least one ID (leave the field out to"
                        + " match any)");
    }

    @Test
    void unknownCapabilityName() {
        assertError(HEAD + "  - {capability: WAT, offset: 0x100, disposition: passthrough}\n", 5, "capabilities[0].capability",
                "'WAT' is not a capability name; expected an abbreviation such as AER, PASID, PRI, ATS, SR-IOV, EXP, MSI-X"
                        + " (or give 'id' and 'space')");
    }

    @Test
    void offsetOutOfItsSpace() {
        assertError(HEAD + "  - {capability: AER, offset: 0x80, disposition: passthrough}\n", 5, "capabilities[0].offset",
                "0x80 is out of range; expected 0x100..0xffc");
    }

    @Test
    void unalignedOffset() {
        assertError(HEAD + "  - {capability: AER, offset: 0x101, disposition: passthrough}\n", 5, "capabilities[0].offset",
                "0x101 is not dword aligned; expected a multiple of 4");
    }

    @Test
    void unknownDisposition() {
        assertError(HEAD + "  - {capability: AER, offset: 0x100, disposition: keep}\n", 5, "capabilities[0].disposition",
                "'keep' is not allowed; expected one of [HIDE, PASSTHROUGH, SYNTHESIZE]");
    }

    @Test
    void synthesizingSomethingVcapCannotBuild() {
        assertError(HEAD + "  - {capability: AER, offset: 0x100, disposition: synthesize}\n", 5,
                "capabilities[0].disposition", "only PASID, PRI and ATS can be synthesized, not Advanced Error Reporting");
    }

    @Test
    void twoCapabilitiesAtOneOffset() {
        assertError(HEAD + """
                  - {capability: AER, offset: 0x100, disposition: passthrough}
                  - {capability: ATS, offset: 0x100, disposition: passthrough}
                """, 6, "capabilities[1].offset", "a second capability at 0x100 (the first is on line 5); expected one per offset");
    }

    @Test
    void aSynthesizedCapabilityOverlappingTheNext() {
        assertError(HEAD + """
                  - {capability: PRI, offset: 0x300, disposition: synthesize}
                  - {capability: ATS, offset: 0x308, disposition: passthrough}
                """, 6, "capabilities", "Address Translation Service (ATS) at 0x308 lies inside Page Request Interface (PRI)"
                + " at 0x300 (16 bytes)");
    }

    @Test
    void missingMatch() {
        assertError("version: 1\ncapabilities: []\n", 1, "match", "missing; this field is required");
    }

    @Test
    void unsupportedVersion() {
        assertError("version: 7\nmatch: {vendor: 1}\ncapabilities: []\n", 1, "version", "unsupported version 7; expected 1");
    }
}
