package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.decode.Decoders;
import dev.vcap.pci.decode.RegisterField;
import dev.vcap.vmm.placement.Decision;
import dev.vcap.vmm.placement.Outcome;
import dev.vcap.vmm.placement.PlacementFinding;
import dev.vcap.vmm.placement.PolicyResult;
import dev.vcap.vmm.placement.Quirk;
import dev.vcap.vmm.placement.Rejection;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/** The JSON form of a device plan (docs/JSON.md, {@code vcap plan --json}). */
final class PlanJson {

    private PlanJson() {
    }

    /** More keys for a device object, written last. */
    interface Extra {
        void write(JsonGenerator g) throws IOException;
    }

    /** One device; {@code extra} (may be null) adds keys at the end. */
    static void device(JsonGenerator g, DevicePlan p, Extra extra) throws IOException {
        device(g, p, body(p), extra);
    }

    /**
     * One device whose keys after its identity are {@code body} ({@link #body}, written once for the
     * devices of a class); {@code extra} (may be null) adds keys at the end.
     */
    static void device(JsonGenerator g, DevicePlan p, SerializableString body, Extra extra) throws IOException {
        g.writeStartObject();
        DeviceJson.identity(g, p.device());
        g.writeRaw(body); // the keys below, after a comma: the generator goes on after the last of them
        if (extra != null) {
            extra.write(g);
        }
        g.writeEndObject();
    }

    /**
     * The device's keys after its identity, as {@link #device} writes them, from a comma on: what the
     * bytes alone decide, so the devices of a class share it.
     */
    static SerializableString body(DevicePlan p) throws IOException {
        return DeviceJson.tail(g -> bodyFields(g, p));
    }

    private static void bodyFields(JsonGenerator g, DevicePlan p) throws IOException {
        g.writeBooleanField("pciExpress", p.physical().chain().isPciExpress());
        nullableString(g, "skipped", p.skipped());
        g.writeBooleanField("refused", p.refused());
        nullableString(g, "refusal", p.refusal());
        DeviceJson.findings(g, p.physical().chain().findings());
        // the guest's bytes and chain read once for the body: each read goes through the vfio view
        ConfigSpace guest = p.vcs() == null ? null : p.guestImage();
        CapabilityChain guestChain = guest == null ? null : CapabilityChain.walk(guest);
        g.writeArrayFieldStart("placements");
        if (p.plan() != null) {
            for (Decision d : p.plan().decisions()) {
                decision(g, d, p, guest, guestChain);
            }
        }
        g.writeEndArray();
        DeviceJson.capabilities(g, guestChain == null ? List.of() : guestChain.all().toList(), null,
                c -> p.originOf(c).label());
        g.writeArrayFieldStart("hidden");
        for (DevicePlan.Hidden h : p.hidden()) {
            g.writeStartObject();
            g.writeStringField("space", h.space().label());
            g.writeNumberField("offset", h.offset());
            g.writeNumberField("id", h.id());
            g.writeNumberField("version", h.version());
            g.writeStringField("name", h.name());
            g.writeNumberField("length", h.length());
            g.writeStringField("by", h.by());
            g.writeStringField("reason", h.reason());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("actions");
        for (String a : p.actions()) {
            g.writeString(a);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("quirks");
        for (Quirk q : p.quirks()) {
            quirk(g, q);
        }
        g.writeEndArray();
    }

    private static void decision(JsonGenerator g, Decision d, DevicePlan p, ConfigSpace guest, CapabilityChain guestChain)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("capability", d.capability().name());
        if (d.offset().isPresent()) {
            g.writeNumberField("offset", d.offset().getAsInt());
        } else {
            g.writeNullField("offset");
        }
        g.writeStringField("policy", d.policy());
        g.writeStringField("reason", d.reason());
        g.writeBooleanField("refused", d.refused());
        if (d.placed()) {
            g.writeObjectFieldStart("registers");
            g.writeStringField("note", p.registers().notes().get(d.capability()));
            DeviceJson.fields(g, registerFields(d, guest, guestChain));
            g.writeEndObject();
        } else {
            g.writeNullField("registers");
        }
        g.writeArrayFieldStart("findings");
        for (PlacementFinding f : d.findings()) {
            g.writeStartObject();
            g.writeStringField("severity", f.severity().label());
            g.writeStringField("message", f.message());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("trail");
        for (PolicyResult r : d.trail()) {
            g.writeStartObject();
            g.writeStringField("policy", r.policy());
            g.writeStringField("outcome", outcome(r.outcome()));
            if (r.outcome() instanceof Outcome.Placed placed) {
                g.writeNumberField("offset", placed.offset());
            } else {
                g.writeNullField("offset");
            }
            g.writeStringField("reason", r.outcome().reason());
            g.writeEndObject();
        }
        g.writeEndArray();
        rejected(g, d.rejected());
        g.writeEndObject();
    }

    /**
     * The synthesized capability's registers as the guest reads them, decoded as {@code inspect
     * --decode} decodes them; the extended header (ID, version, next) belongs to the layout.
     */
    private static List<RegisterField> registerFields(Decision d, ConfigSpace guest, CapabilityChain guestChain) {
        return Decoders.view(guest, d.capability().kind(), d.offset().getAsInt(), guestChain.traits())
                .map(v -> v.fields().stream()
                        .filter(f -> !f.register().equals(RegisterField.EXTENDED_CAPABILITY_HEADER)).toList())
                .orElse(List.of());
    }

    static void rejected(JsonGenerator g, List<Rejection> rejected) throws IOException {
        g.writeArrayFieldStart("rejected");
        for (Rejection r : rejected) {
            g.writeStartObject();
            g.writeStringField("policy", r.policy());
            if (r.hasOffset()) {
                g.writeNumberField("first", r.first());
                g.writeNumberField("last", r.last());
            } else {
                g.writeNullField("first");
                g.writeNullField("last");
            }
            g.writeStringField("reason", r.reason());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static String outcome(Outcome o) {
        return switch (o) {
            case Outcome.Placed x -> "placed";
            case Outcome.Declined x -> "declined";
            case Outcome.Refused x -> "refused";
            case Outcome.Withheld x -> "withheld";
        };
    }

    static void quirk(JsonGenerator g, Quirk q) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", q.id());
        g.writeStringField("origin", q.origin());
        g.writeArrayFieldStart("forbid");
        for (Quirk.Forbidden f : q.forbidden()) {
            g.writeStartObject();
            g.writeNumberField("start", f.range().start());
            g.writeNumberField("end", f.range().end());
            g.writeStringField("reason", f.reason());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("prefer");
        for (Quirk.Preferred pr : q.preferred()) {
            g.writeStartObject();
            g.writeStringField("capability", pr.capability().toUpperCase(Locale.ROOT));
            g.writeNumberField("offset", pr.offset());
            g.writeStringField("reason", pr.reason());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    static void nullableString(JsonGenerator g, String field, String value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, value);
        }
    }
}
