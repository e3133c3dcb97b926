package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.vcap.pci.analysis.DeviceAnalysis;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.Finding;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.decode.Decoders;
import dev.vcap.pci.decode.RegisterField;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.pci.occupancy.ByteRange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes the device fields of the JSON schema in docs/JSON.md. {@code vcap inspect} and
 * {@code vcap plan} share them so that "capabilities" has one shape everywhere.
 */
final class DeviceJson {

    private DeviceJson() {
    }

    /** Identity fields: address, description, source, IDs, class, size. */
    static void identity(JsonGenerator g, DeviceImage d) throws IOException {
        ConfigSpace cs = d.config();
        g.writeStringField("address", d.address().toString());
        g.writeStringField("description", d.description());
        g.writeStringField("source", d.origin());
        g.writeNumberField("vendorId", cs.u16(Header.VENDOR_ID));
        g.writeNumberField("deviceId", cs.u16(Header.DEVICE_ID));
        g.writeNumberField("revision", cs.u8(Header.REVISION_ID));
        g.writeNumberField("classCode", Header.classCode(cs));
        g.writeNumberField("headerType", Header.type(cs));
        g.writeNumberField("configSize", cs.length());
    }

    /** {@code "capabilities":[...]}, standard then extended, each in chain order. */
    static void capabilities(JsonGenerator g, List<Capability> caps) throws IOException {
        capabilities(g, caps, null);
    }

    /**
     * {@code "capabilities":[...]}; with {@code decodeFrom} and the traits, each decodable
     * capability also gets its {@code "fields"}.
     */
    static void capabilities(JsonGenerator g, List<Capability> caps, DeviceAnalysis decodeFrom) throws IOException {
        capabilities(g, caps, decodeFrom, null);
    }

    /**
     * {@code "capabilities":[...]}; with {@code origin}, each also gets {@code "origin"} (physical,
     * virtualized, synthesized, virtual: {@code vcap plan}).
     */
    static void capabilities(JsonGenerator g, List<Capability> caps, DeviceAnalysis decodeFrom,
            java.util.function.Function<Capability, String> origin) throws IOException {
        g.writeArrayFieldStart("capabilities");
        for (Capability c : caps) {
            g.writeStartObject();
            g.writeStringField("space", c.space().label());
            g.writeNumberField("offset", c.offset());
            g.writeNumberField("id", c.id());
            if (c.space() == CapabilitySpace.EXTENDED || c.hasVersion()) {
                g.writeNumberField("version", c.version());
            } else {
                g.writeNullField("version");
            }
            g.writeStringField("name", c.name());
            g.writeNumberField("length", c.length());
            g.writeBooleanField("lengthKnown", c.lengthKnown());
            if (origin != null) {
                g.writeStringField("origin", origin.apply(c));
            }
            if (decodeFrom != null) {
                var view = Decoders.view(decodeFrom.device().config(), c, decodeFrom.chain().traits());
                if (view.isPresent()) {
                    fields(g, view.get().fields());
                }
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void findings(JsonGenerator g, List<Finding> findings) throws IOException {
        g.writeArrayFieldStart("findings");
        for (Finding f : findings) {
            g.writeStartObject();
            g.writeStringField("kind", f.kind().label());
            g.writeStringField("severity", f.severity().label());
            if (f.space() == null) {
                g.writeNullField("space");
            } else {
                g.writeStringField("space", f.space().label());
            }
            g.writeNumberField("offset", f.offset());
            g.writeStringField("message", f.message());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void ranges(JsonGenerator g, String field, List<ByteRange> ranges, ConfigSpace bytesFrom) throws IOException {
        g.writeArrayFieldStart(field);
        for (ByteRange r : ranges) {
            g.writeStartObject();
            g.writeStringField("space", r.start() < ConfigSpace.CONVENTIONAL_SIZE ? "standard" : "extended");
            g.writeNumberField("start", r.start());
            g.writeNumberField("end", r.end());
            if (bytesFrom != null) {
                g.writeStringField("bytes", HexFormat.of().formatHex(bytesFrom.slice(r.start(), r.length())));
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** {@code "fields":[...]} of a decoded view. */
    static void fields(JsonGenerator g, List<RegisterField> fields) throws IOException {
        g.writeArrayFieldStart("fields");
        for (RegisterField f : fields) {
            g.writeStartObject();
            g.writeStringField("register", f.register());
            g.writeStringField("field", f.field());
            g.writeNumberField("offset", f.offset());
            g.writeNumberField("bitLow", f.bitLow());
            g.writeNumberField("bitHigh", f.bitHigh());
            g.writeNumberField("value", f.value());
            g.writeStringField("meaning", f.meaning());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** {@code "errors":[{"source","line","message"}]}: the inputs that could not be read. */
    static void errors(JsonGenerator g, List<DumpFormatException> errors) throws IOException {
        g.writeArrayFieldStart("errors");
        for (DumpFormatException e : errors) {
            g.writeStartObject();
            g.writeStringField("source", e.source());
            g.writeNumberField("line", e.line());
            g.writeStringField("message", e.getMessage());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * The whole inspect object of one device: its identity, then {@code body} ({@link #body}: with
     * {@code decode}, register fields too).
     */
    static void device(JsonGenerator g, DeviceImage d, SerializableString body) throws IOException {
        g.writeStartObject();
        identity(g, d);
        g.writeRaw(body);
        g.writeEndObject();
    }

    /**
     * The keys of {@link #device} after the identity, from a comma on: what the bytes alone decide,
     * so the devices of a class share them ({@link DeviceClasses}).
     */
    static SerializableString body(DeviceAnalysis a, boolean decode) throws IOException {
        return tail(g -> bodyFields(g, a, decode));
    }

    /** Keys of an object, written by a generator of their own. */
    interface Keys {
        void write(JsonGenerator g) throws IOException;
    }

    /** What {@link #tail} cuts off the front: an object's opening with one empty key. */
    private static final String LEAD = "{\"\":0";

    /**
     * {@code keys} as the text that follows earlier keys of an object ({@code ,"a":1,"b":2}),
     * encoded once, for {@link JsonGenerator#writeRaw(SerializableString)} into an object whose
     * generator then goes on after them as after any value: a body shared by the devices of a class.
     */
    static SerializableString tail(Keys keys) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeNumberField("", 0);
            keys.write(g);
            g.writeEndObject();
        }
        byte[] all = bytes.toByteArray();
        byte[] utf8 = Arrays.copyOfRange(all, LEAD.length(), all.length - 1); // LEAD is ASCII: a byte a char
        return new Encoded(new String(utf8, StandardCharsets.UTF_8), utf8);
    }

    /**
     * Text whose UTF-8 form is already known, handed to Jackson through {@link SerializedString}'s
     * protected cache of it: a {@code SerializedString} made from the text alone encodes it again,
     * char by char, the first time a generator writes it (30 ms for the 116 bodies of {@code plan},
     * 43 KB each, in JFR profiles of 20,000 devices).
     */
    private static final class Encoded extends SerializedString {
        Encoded(String text, byte[] utf8) {
            super(text);
            _unquotedUTF8Ref = utf8;
        }
    }

    private static void bodyFields(JsonGenerator g, DeviceAnalysis a, boolean decode) throws IOException {
        g.writeBooleanField("pciExpress", a.chain().isPciExpress());
        if (decode && !a.chain().undecodable()) {
            var header = Decoders.header(a.device().config());
            if (header.isPresent()) {
                g.writeObjectFieldStart("header");
                fields(g, header.get().fields());
                g.writeEndObject();
            }
        }
        capabilities(g, a.chain().all().toList(), decode ? a : null);
        findings(g, a.chain().findings());
        ranges(g, "gaps", a.occupancy().gaps(), null);
        ranges(g, "suspicious", a.occupancy().nonZeroInGaps(), a.device().config());
    }
}
