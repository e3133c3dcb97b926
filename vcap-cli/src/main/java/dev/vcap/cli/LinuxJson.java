package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vcap.host.HwInfo;
import dev.vcap.linux.Feature;
import java.io.IOException;
import java.util.List;

/** The JSON shapes {@code vcap host} and {@code vcap probe} share (docs/JSON.md). */
final class LinuxJson {

    private LinuxJson() {
    }

    /** {@code "hwInfo": {...}} or {@code null}. */
    static void hwInfo(JsonGenerator g, HwInfo h) throws IOException {
        g.writeFieldName("hwInfo");
        if (h == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeNumberField("type", h.dataType());
        g.writeNumberField("dataLen", h.dataLen());
        g.writeNumberField("maxPasidLog2", h.maxPasidLog2());
        g.writeNumberField("capabilities", h.capabilities());
        g.writeArrayFieldStart("capabilityNames");
        for (String n : h.capabilityNames()) {
            g.writeString(n);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** {@code "features": [{"name", "status", "detail"}, ...]}. */
    static void features(JsonGenerator g, List<Feature> features) throws IOException {
        g.writeArrayFieldStart("features");
        for (Feature f : features) {
            g.writeStartObject();
            g.writeStringField("name", f.key());
            g.writeStringField("status", f.status().label());
            g.writeStringField("detail", f.detail());
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
