package dev.vcap.vmm.migration;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.vmm.config.Origin;
import dev.vcap.vmm.migration.ContractFormatException.Reason;
import dev.vcap.vmm.placement.DeviceIdentity;
import dev.vcap.vmm.placement.SyntheticCapability;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Writes and reads layout contracts. The canonical form is compact JSON with a fixed key order,
 * integers in decimal and byte strings in lower-case hex; the digest is SHA-256 over the canonical
 * form of everything but the digest, written last as {@code "digest":"sha256:..."}. Reading
 * re-serializes what it parsed and compares digests, so any edit that changes what the contract
 * says — even one that keeps it valid JSON — is detected; edits that change only the spelling
 * (whitespace, key order, unknown keys, upper-case hex) are accepted, since the canonical form
 * they read back to is the same.
 */
public final class ContractCodec {

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final HexFormat HEX = HexFormat.of();

    private ContractCodec() {
    }

    /** The contract in canonical form, digest included, with a final newline. */
    public static byte[] write(LayoutContract c) {
        String body = canonical(c);
        String json = body.substring(0, body.length() - 1) + ",\"digest\":\"" + digest(c) + "\"}\n";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code sha256:HEX} of the canonical form without the digest. */
    public static String digest(LayoutContract c) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return "sha256:" + HEX.formatHex(sha.digest(canonical(c).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String canonical(LayoutContract c) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("format", LayoutContract.FORMAT);
            g.writeNumberField("version", LayoutContract.VERSION);
            g.writeObjectFieldStart("device");
            DeviceIdentity id = c.identity();
            g.writeNumberField("vendor", id.vendor());
            g.writeNumberField("device", id.device());
            g.writeNumberField("subsystemVendor", id.subsystemVendor());
            g.writeNumberField("subsystem", id.subsystem());
            g.writeNumberField("revision", id.revision());
            g.writeNumberField("class", id.classCode());
            g.writeEndObject();
            g.writeNumberField("configSize", c.configSize());
            g.writeArrayFieldStart("capabilities");
            for (LayoutContract.Entry e : c.capabilities()) {
                g.writeStartObject();
                g.writeStringField("space", e.space().label());
                g.writeNumberField("offset", e.offset());
                g.writeNumberField("id", e.id());
                g.writeNumberField("version", e.version());
                g.writeNumberField("length", e.length());
                g.writeStringField("origin", e.origin().label());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeBooleanField("extendedStub", c.extendedStub());
            g.writeArrayFieldStart("hidden");
            for (LayoutContract.Hidden h : c.hidden()) {
                g.writeStartObject();
                g.writeStringField("space", h.space().label());
                g.writeNumberField("offset", h.offset());
                g.writeNumberField("id", h.id());
                g.writeNumberField("version", h.version());
                g.writeNumberField("length", h.length());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("synthesized");
            for (LayoutContract.Synthesized s : c.synthesized()) {
                g.writeStartObject();
                g.writeStringField("capability", s.capability().name());
                g.writeNumberField("offset", s.offset());
                g.writeNumberField("pasidWidth", s.pasidWidth());
                g.writeBooleanField("execute", s.execute());
                g.writeBooleanField("privileged", s.privileged());
                g.writeNumberField("priCapacity", s.priCapacity());
                g.writeBooleanField("priPasidRequired", s.priPasidRequired());
                g.writeNumberField("atsQueueDepth", s.atsQueueDepth());
                g.writeBooleanField("atsPageAligned", s.atsPageAligned());
                g.writeBooleanField("atsGlobalInvalidate", s.atsGlobalInvalidate());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("checked");
            for (LayoutContract.Checked k : c.checked()) {
                g.writeStartObject();
                g.writeNumberField("start", k.start());
                g.writeStringField("mask", HEX.formatHex(k.mask()));
                g.writeStringField("values", HEX.formatHex(k.values()));
                g.writeEndObject();
            }
            g.writeEndArray();
            if (c.check() == LayoutContract.Check.QEMU) {
                // vcap's rule is the default and is not written, so contracts written before QEMU's keep their digest
                g.writeStringField("check", c.check().label());
                g.writeStringField("config", HEX.formatHex(c.config()));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Reads and validates a contract.
     *
     * @throws ContractFormatException naming what is wrong: malformed or truncated JSON (with line
     *                                 and column), unknown format or version, a digest mismatch,
     *                                 a missing or bad field, an offset out of range, overlapping
     *                                 capabilities
     */
    public static LayoutContract read(byte[] document) {
        JsonNode root;
        try {
            root = MAPPER.readTree(document);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new ContractFormatException(Reason.MALFORMED_JSON, "not a complete JSON document"
                    + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")") + ": "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            // the document is in memory, so this is not I/O: Jackson guessed an encoding (UTF-16 or
            // UTF-32 from zero bytes) the bytes then broke (java.io.CharConversionException)
            throw new ContractFormatException(Reason.MALFORMED_JSON, "not a JSON document: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ContractFormatException(Reason.MALFORMED_JSON, "not a JSON object; expected a layout contract");
        }
        String format = text(root, "format");
        if (!LayoutContract.FORMAT.equals(format)) {
            throw new ContractFormatException(Reason.UNKNOWN_FORMAT, "format is '" + format + "'; expected '"
                    + LayoutContract.FORMAT + "'");
        }
        int version = integer(root, "version", 0, Integer.MAX_VALUE);
        if (version != LayoutContract.VERSION) {
            throw new ContractFormatException(Reason.UNKNOWN_VERSION, "version " + version + " is not known; this vcap"
                    + " reads version " + LayoutContract.VERSION);
        }
        JsonNode device = object(root, "device");
        DeviceIdentity identity = new DeviceIdentity(integer(device, "vendor", 0, 0xFFFF),
                integer(device, "device", 0, 0xFFFF), integer(device, "subsystemVendor", 0, 0xFFFF),
                integer(device, "subsystem", 0, 0xFFFF), integer(device, "revision", 0, 0xFF),
                integer(device, "class", 0, 0xFFFFFF));
        int size = integer(root, "configSize", 0, ConfigSpace.EXTENDED_SIZE);
        if (size != ConfigSpace.CONVENTIONAL_SIZE && size != ConfigSpace.EXTENDED_SIZE) {
            throw new ContractFormatException(Reason.BAD_VALUE, "configSize " + size + "; expected 256 or 4096");
        }
        List<LayoutContract.Entry> caps = new ArrayList<>();
        for (JsonNode n : array(root, "capabilities")) {
            CapabilitySpace space = space(n);
            caps.add(new LayoutContract.Entry(space, offset(n, space, size), integer(n, "id", 0, 0xFFFF),
                    integer(n, "version", 0, 0xF), integer(n, "length", 1, size), origin(n)));
        }
        boolean stub = bool(root, "extendedStub");
        List<LayoutContract.Hidden> hidden = new ArrayList<>();
        for (JsonNode n : array(root, "hidden")) {
            CapabilitySpace space = space(n);
            hidden.add(new LayoutContract.Hidden(space, offset(n, space, size), integer(n, "id", 0, 0xFFFF),
                    integer(n, "version", 0, 0xF), integer(n, "length", 1, size)));
        }
        List<LayoutContract.Synthesized> synthesized = new ArrayList<>();
        for (JsonNode n : array(root, "synthesized")) {
            String name = text(n, "capability");
            SyntheticCapability c = SyntheticCapability.parse(name).orElseThrow(() -> new ContractFormatException(
                    Reason.BAD_VALUE, "synthesized capability '" + name + "'; expected PASID, PRI or ATS"));
            synthesized.add(new LayoutContract.Synthesized(c, offset(n, CapabilitySpace.EXTENDED, size),
                    integer(n, "pasidWidth", 0, 20), bool(n, "execute"), bool(n, "privileged"),
                    (int) longValue(n, "priCapacity", 0, 0xFFFFFFFFL), bool(n, "priPasidRequired"),
                    integer(n, "atsQueueDepth", 0, 31), bool(n, "atsPageAligned"), bool(n, "atsGlobalInvalidate")));
        }
        List<LayoutContract.Checked> checked = new ArrayList<>();
        for (JsonNode n : array(root, "checked")) {
            int start = integer(n, "start", 0, size - 1);
            byte[] mask = hex(n, "mask");
            byte[] values = hex(n, "values");
            if (mask.length == 0 || mask.length != values.length || start + mask.length > size) {
                throw new ContractFormatException(Reason.OUT_OF_RANGE, String.format("checked run at 0x%x: mask and"
                        + " values must be non-empty, of equal length and inside config space", start));
            }
            checked.add(new LayoutContract.Checked(start, mask, values));
        }
        LayoutContract.Check check = LayoutContract.Check.VCAP;
        byte[] config = new byte[0];
        if (root.has("check")) {
            String rule = text(root, "check");
            if (!rule.equals(LayoutContract.Check.QEMU.label())) {
                throw new ContractFormatException(Reason.BAD_VALUE, "check '" + rule + "'; expected "
                        + LayoutContract.Check.QEMU.label() + " (vcap's rule is the default and is not written)");
            }
            check = LayoutContract.Check.QEMU;
            config = hex(root, "config");
            if (config.length != size) {
                throw new ContractFormatException(Reason.OUT_OF_RANGE, String.format("config holds %d bytes; QEMU's"
                        + " rule needs the whole %d-byte config space", config.length, size));
            }
        }
        LayoutContract contract = new LayoutContract(identity, size, caps, stub, hidden, synthesized, checked, check,
                config);
        validate(contract);
        String stated = text(root, "digest");
        String computed = digest(contract);
        if (!computed.equals(stated)) {
            throw new ContractFormatException(Reason.DIGEST_MISMATCH, "digest mismatch: the document says " + stated
                    + " but its contents hash to " + computed + "; it was changed after it was written");
        }
        return contract;
    }

    /** The contract's own consistency: no overlapping capabilities, synthesized entries that exist. */
    private static void validate(LayoutContract c) {
        for (CapabilitySpace space : CapabilitySpace.values()) {
            List<LayoutContract.Entry> list = new ArrayList<>(c.capabilities().stream().filter(e -> e.space() == space)
                    .toList());
            list.sort(Comparator.comparingInt(LayoutContract.Entry::offset));
            for (int i = 1; i < list.size(); i++) {
                if (list.get(i - 1).end() > list.get(i).offset()) {
                    throw new ContractFormatException(Reason.OVERLAP, String.format("capabilities overlap: %s (%d bytes)"
                            + " and %s", list.get(i - 1), list.get(i - 1).length(), list.get(i)));
                }
            }
            int limit = space == CapabilitySpace.STANDARD ? ConfigSpace.CONVENTIONAL_SIZE : c.configSize();
            for (LayoutContract.Entry e : list) {
                if (e.end() > limit) {
                    throw new ContractFormatException(Reason.OUT_OF_RANGE, e + " runs past 0x"
                            + Integer.toHexString(limit));
                }
            }
        }
        for (LayoutContract.Synthesized s : c.synthesized()) {
            boolean listed = c.capabilities().stream().anyMatch(e -> e.origin() == Origin.SYNTHESIZED
                    && e.space() == CapabilitySpace.EXTENDED && e.offset() == s.offset() && e.id() == s.capability().kind().id());
            if (!listed) {
                throw new ContractFormatException(Reason.BAD_VALUE, String.format("synthesized %s at 0x%03x is not among"
                        + " the capabilities", s.capability(), s.offset()));
            }
        }
    }

    // ---------------------------------------------------------------- field readers

    private static JsonNode field(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            throw new ContractFormatException(Reason.MISSING_FIELD, "missing field '" + name + "'");
        }
        return v;
    }

    private static String text(JsonNode n, String name) {
        JsonNode v = field(n, name);
        if (!v.isTextual()) {
            throw new ContractFormatException(Reason.BAD_VALUE, "field '" + name + "' must be a string");
        }
        return v.asText();
    }

    private static boolean bool(JsonNode n, String name) {
        JsonNode v = field(n, name);
        if (!v.isBoolean()) {
            throw new ContractFormatException(Reason.BAD_VALUE, "field '" + name + "' must be true or false");
        }
        return v.asBoolean();
    }

    private static int integer(JsonNode n, String name, int min, int max) {
        return (int) longValue(n, name, min, max);
    }

    private static long longValue(JsonNode n, String name, long min, long max) {
        JsonNode v = field(n, name);
        if (!v.isIntegralNumber()) {
            throw new ContractFormatException(Reason.BAD_VALUE, "field '" + name + "' must be an integer");
        }
        if (!v.canConvertToLong()) {
            // asLong() would keep the low 64 bits: 2^64 + 5 would read as 5
            throw new ContractFormatException(Reason.OUT_OF_RANGE, String.format("field '%s' is %s; expected %d..%d",
                    name, v.asText(), min, max));
        }
        long x = v.asLong();
        if (x < min || x > max) {
            throw new ContractFormatException(Reason.OUT_OF_RANGE, String.format("field '%s' is %d; expected %d..%d",
                    name, x, min, max));
        }
        return x;
    }

    private static JsonNode object(JsonNode n, String name) {
        JsonNode v = field(n, name);
        if (!v.isObject()) {
            throw new ContractFormatException(Reason.BAD_VALUE, "field '" + name + "' must be an object");
        }
        return v;
    }

    private static Iterable<JsonNode> array(JsonNode n, String name) {
        JsonNode v = field(n, name);
        if (!v.isArray()) {
            throw new ContractFormatException(Reason.BAD_VALUE, "field '" + name + "' must be an array");
        }
        return v;
    }

    private static CapabilitySpace space(JsonNode n) {
        String s = text(n, "space");
        return switch (s) {
            case "standard" -> CapabilitySpace.STANDARD;
            case "extended" -> CapabilitySpace.EXTENDED;
            default -> throw new ContractFormatException(Reason.BAD_VALUE, "space '" + s + "'; expected standard or extended");
        };
    }

    private static int offset(JsonNode n, CapabilitySpace space, int size) {
        int low = space == CapabilitySpace.STANDARD ? ConfigSpace.HEADER_SIZE : ConfigSpace.CONVENTIONAL_SIZE;
        int high = space == CapabilitySpace.STANDARD ? ConfigSpace.CONVENTIONAL_SIZE - 4 : size - 4;
        int off = integer(n, "offset", 0, ConfigSpace.EXTENDED_SIZE);
        if (off < low || off > high || off % 4 != 0) {
            throw new ContractFormatException(Reason.OUT_OF_RANGE, String.format("%s offset 0x%x is outside 0x%x..0x%x"
                    + " or not dword aligned", space.label(), off, low, high));
        }
        return off;
    }

    private static Origin origin(JsonNode n) {
        String s = text(n, "origin");
        try {
            return Origin.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ContractFormatException(Reason.BAD_VALUE, "origin '" + s
                    + "'; expected physical, virtualized, synthesized or virtual");
        }
    }

    private static byte[] hex(JsonNode n, String name) {
        String s = text(n, name);
        try {
            return HEX.parseHex(s);
        } catch (IllegalArgumentException e) {
            throw new ContractFormatException(Reason.BAD_VALUE, "field '" + name + "' is not hex (an even number of 0-9a-f digits)");
        }
    }
}
