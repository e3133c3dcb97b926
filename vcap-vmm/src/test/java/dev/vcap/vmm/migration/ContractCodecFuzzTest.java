package dev.vcap.vmm.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vcap.vmm.migration.ContractFormatException.Reason;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fuzzes {@link ContractCodec#read} with arbitrary bytes. Invariants:
 * <ul>
 * <li>it returns a contract or throws {@link ContractFormatException} with a reason, nothing
 * else;</li>
 * <li>a contract read back and re-written is byte-identical, and reads back equal;</li>
 * <li>an accepted document is one complete JSON value and says what the contract says: every
 * field of the canonical form is in it with the same value (integers exactly, strings up to case
 * and surrounding blanks, which the reader forgives);</li>
 * <li>a document refused only for its digest is accepted once its digest is the computed one
 * (validation comes before the digest check). With the digest repaired, the fuzzer reaches the
 * validation behind it instead of stopping at the digest.</li>
 * </ul>
 *
 * <p>Regression inputs: {@code src/test/resources/dev/vcap/vmm/migration/ContractCodecFuzzTestInputs/read/}.
 */
class ContractCodecFuzzTest {

    /** One complete JSON value, no duplicate keys: what the test holds an accepted document to. */
    static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Reads as the codec does (the first JSON value, no duplicate keys). */
    static final ObjectMapper LENIENT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    static final Pattern MISMATCH = Pattern.compile("the document says (.*) but its contents hash to (sha256:[0-9a-f]{64});");

    @FuzzTest(maxDuration = "30s")
    void read(byte[] data) {
        try {
            check(data, ContractCodec.read(data));
        } catch (ContractFormatException e) {
            assertThat(e.reason()).isNotNull();
            assertThat(e.getMessage()).isNotBlank();
            if (e.reason() == Reason.DIGEST_MISMATCH) {
                byte[] repaired = repairDigest(data, e.getMessage());
                if (repaired != null) {
                    LayoutContract c;
                    try {
                        c = ContractCodec.read(repaired);
                    } catch (ContractFormatException again) {
                        throw new AssertionError("refused for its digest, then for " + again.getMessage(), again);
                    }
                    check(repaired, c);
                }
            }
        }
    }

    static void check(byte[] document, LayoutContract c) {
        byte[] written = ContractCodec.write(c);
        LayoutContract again = ContractCodec.read(written);
        assertThat(again).isEqualTo(c);
        assertThat(ContractCodec.write(again)).isEqualTo(written);
        JsonNode doc;
        try {
            doc = STRICT.readTree(document);
        } catch (JsonProcessingException e) {
            throw new AssertionError("accepted a document that is not one complete JSON value: " + e.getOriginalMessage(),
                    e);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        try {
            agrees(STRICT.readTree(written), doc, "$");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Every field of the canonical document is in the accepted one, with the same value. */
    static void agrees(JsonNode canonical, JsonNode doc, String path) {
        if (doc == null) {
            fail("accepted document lacks " + path);
        }
        if (canonical.isObject()) {
            assertThat(doc.isObject()).as(path).isTrue();
            for (Map.Entry<String, JsonNode> f : canonical.properties()) {
                agrees(f.getValue(), doc.get(f.getKey()), path + "." + f.getKey());
            }
        } else if (canonical.isArray()) {
            assertThat(doc.isArray()).as(path).isTrue();
            assertThat(doc.size()).as(path).isEqualTo(canonical.size());
            for (int i = 0; i < canonical.size(); i++) {
                agrees(canonical.get(i), doc.get(i), path + "[" + i + "]");
            }
        } else if (canonical.isIntegralNumber()) {
            assertThat(doc.isIntegralNumber()).as(path).isTrue();
            assertThat(doc.bigIntegerValue()).as("%s: the document says %s, the contract %s", path, doc, canonical)
                    .isEqualTo(canonical.bigIntegerValue());
        } else if (canonical.isBoolean()) {
            assertThat(doc.isBoolean() && doc.booleanValue() == canonical.booleanValue()).as(path).isTrue();
        } else {
            assertThat(doc.isTextual()).as(path).isTrue();
            assertThat(doc.textValue().trim().toLowerCase(Locale.ROOT)).as(path)
                    .isEqualTo(canonical.textValue().toLowerCase(Locale.ROOT));
        }
    }

    /**
     * The document with its digest replaced by the computed one, re-serialized from its JSON tree;
     * null when the message names no computed digest.
     */
    static byte[] repairDigest(byte[] document, String message) {
        Matcher m = MISMATCH.matcher(message);
        if (!m.find()) {
            return null;
        }
        try {
            JsonNode root = LENIENT.readTree(document);
            ((ObjectNode) root).put("digest", m.group(2));
            return LENIENT.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new AssertionError("the codec read this document as JSON: " + e.getMessage(), e);
        }
    }
}
