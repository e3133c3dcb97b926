package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vcap.host.HwInfo;
import dev.vcap.linux.Feature;
import dev.vcap.linux.PasidProbe;
import java.io.IOException;
import java.util.List;

/** The JSON shapes {@code vcap host} and {@code vcap probe} share (docs/JSON.md). */
final class LinuxJson {

    private LinuxJson() {
    }

    /** {@code "hw_info": {...}} or {@code null}. */
    static void hwInfo(JsonGenerator g, HwInfo h) throws IOException {
        g.writeFieldName("hw_info");
        if (h == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeNumberField("type", h.dataType());
        g.writeNumberField("data_len", h.dataLen());
        g.writeNumberField("max_pasid_log2", h.maxPasidLog2());
        g.writeNumberField("capabilities", h.capabilities());
        g.writeArrayFieldStart("capability_names");
        String names = PasidProbe.capabilityNames(h.capabilities());
        if (!names.isEmpty()) {
            for (String n : names.substring(2, names.length() - 1).split(", ")) {
                g.writeString(n);
            }
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
