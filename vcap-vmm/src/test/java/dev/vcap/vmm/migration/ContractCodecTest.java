package dev.vcap.vmm.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.vmm.config.Origin;
import dev.vcap.vmm.migration.ContractFormatException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The contract document: round trip, canonical form, and one test per way it can be wrong. */
class ContractCodecTest {

    final LayoutContract contract = Fixtures.contract(Fixtures.model().build());
    final String json = new String(ContractCodec.write(contract), StandardCharsets.UTF_8);

    static void assertRefused(String document, Reason reason, String message) {
        assertThatThrownBy(() -> ContractCodec.read(document.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ContractFormatException.class).hasMessageContaining(message)
                .extracting(e -> ((ContractFormatException) e).reason()).isEqualTo(reason);
    }

    /** Replaces a fragment and recomputes nothing: a tampered document. */
    String tampered(String from, String to) {
        assertThat(json).contains(from);
        return json.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
    }

    @Test
    void roundTripsAndIsCanonical() {
        LayoutContract read = ContractCodec.read(json.getBytes(StandardCharsets.UTF_8));
        assertThat(read).usingRecursiveComparison().isEqualTo(contract);
        assertThat(ContractCodec.write(read)).isEqualTo(ContractCodec.write(contract));
        assertThat(json).startsWith("{\"format\":\"vcap-layout-contract\",\"version\":1,\"device\":{\"vendor\":32902,")
                .endsWith("\"}\n").doesNotContain(" ").contains("\"digest\":\"sha256:");
        assertThat(Arrays.equals(ContractCodec.write(contract), ContractCodec.write(Fixtures.contract(
                Fixtures.model().build())))).as("same inputs, same bytes").isTrue();
    }

    @Test
    void recordsWhatTheGuestSees() {
        assertThat(contract.capabilities()).filteredOn(e -> e.origin() == Origin.SYNTHESIZED).extracting(
                LayoutContract.Entry::id).containsExactly(0x1B, 0x13);
        assertThat(contract.synthesized(dev.vcap.vmm.placement.SyntheticCapability.PASID)).get()
                .satisfies(s -> assertThat(s.pasidWidth()).isEqualTo(20));
        assertThat(contract.checked()).isNotEmpty();
        assertThat(contract.checked().get(0).start()).isZero(); // vendor ID first
    }

    @Test
    void aDigestMismatchIsRefused() {
        assertRefused(tampered("\"revision\":1,", "\"revision\":2,"), Reason.DIGEST_MISMATCH,
                "digest mismatch: the document says sha256:");
    }

    @Test
    void aSilentlyMovedCapabilityIsRefused() {
        var pasid = contract.synthesized().get(0);
        String off = "\"capability\":\"PASID\",\"offset\":" + pasid.offset();
        assertRefused(tampered(off, "\"capability\":\"PASID\",\"offset\":" + (pasid.offset() - 4)), Reason.BAD_VALUE,
                "is not among the capabilities");
    }

    @Test
    void anUnknownVersionIsRefused() {
        assertRefused(tampered("\"version\":1,\"device\"", "\"version\":2,\"device\""), Reason.UNKNOWN_VERSION,
                "version 2 is not known; this vcap reads version 1");
    }

    @Test
    void anUnknownFormatIsRefused() {
        assertRefused(tampered("vcap-layout-contract", "something-else"), Reason.UNKNOWN_FORMAT,
                "format is 'something-else'; expected 'vcap-layout-contract'");
    }

    @Test
    void truncatedJsonIsRefusedWithItsPosition() {
        assertRefused(json.substring(0, json.length() / 2), Reason.MALFORMED_JSON, "not a complete JSON document (line 1,");
    }

    @Test
    void bytesInNoEncodingAreMalformedJson() {
        // zero bytes make Jackson read UTF-32; 0x766f6102 is no character (found by ContractCodecFuzzTest)
        byte[] document = {'"', 0, 0, 0, 0, 0, 0, 0, 2, 'a', 'p', 'v', 'p', 'e', 'd', 'd', 'a', '"'};
        assertThatThrownBy(() -> ContractCodec.read(document)).isInstanceOf(ContractFormatException.class)
                .hasMessageContaining("not a JSON document: Invalid UTF-32 character")
                .extracting(e -> ((ContractFormatException) e).reason()).isEqualTo(Reason.MALFORMED_JSON);
    }

    @Test
    void contentAfterTheContractIsRefused() {
        // a valid contract and then more: the document is not one JSON value (found by ContractCodecFuzzTest)
        assertRefused(json.strip() + " 0", Reason.MALFORMED_JSON, "Trailing token");
        assertRefused(json + json, Reason.MALFORMED_JSON, "Trailing token");
        assertThat(ContractCodec.read((json + "\n \t").getBytes(StandardCharsets.UTF_8))).isEqualTo(contract);
    }

    @Test
    void notAnObjectIsRefused() {
        assertRefused("[1,2]", Reason.MALFORMED_JSON, "not a JSON object");
    }

    @Test
    void aMissingFieldIsRefused() {
        assertRefused(tampered("\"extendedStub\":", "\"extendedStubX\":"), Reason.MISSING_FIELD,
                "missing field 'extendedStub'");
    }

    @Test
    void anOffsetOutOfRangeIsRefused() {
        assertRefused(tampered("\"space\":\"extended\",\"offset\":256", "\"space\":\"extended\",\"offset\":4094"),
                Reason.OUT_OF_RANGE, "extended offset 0xffe is outside 0x100..0xffc or not dword aligned");
    }

    @Test
    void anIntegerBeyondSixtyFourBitsIsOutOfRangeNotWrapped() {
        // 2^64 + 256 must not read as 256 (found by ContractCodecFuzzTest)
        assertRefused(tampered("\"space\":\"extended\",\"offset\":256",
                "\"space\":\"extended\",\"offset\":18446744073709551872"), Reason.OUT_OF_RANGE,
                "field 'offset' is 18446744073709551872; expected 0..4096");
    }

    @Test
    void overlappingCapabilitiesAreRefused() {
        assertRefused(tampered("\"space\":\"extended\",\"offset\":336", "\"space\":\"extended\",\"offset\":288"),
                Reason.OVERLAP, "capabilities overlap: extended Advanced Error Reporting@0x100");
    }

    @Test
    void aBadValueIsRefused() {
        assertRefused(tampered("\"origin\":\"physical\"", "\"origin\":\"imagined\""), Reason.BAD_VALUE,
                "origin 'imagined'; expected physical, virtualized, synthesized or virtual");
        assertRefused(tampered("\"extendedStub\":false", "\"extendedStub\":\"no\""), Reason.BAD_VALUE,
                "field 'extendedStub' must be true or false");
    }

    @Test
    void duplicateKeysAreRefused() {
        assertRefused(tampered("\"configSize\":4096", "\"configSize\":4096,\"configSize\":4096"), Reason.MALFORMED_JSON,
                "Duplicate field 'configSize'");
    }
}
