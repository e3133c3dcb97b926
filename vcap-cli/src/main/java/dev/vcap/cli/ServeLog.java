package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.vcap.vfiouser.server.ServerEvent;
import dev.vcap.vmm.config.VmmEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * What {@code vcap serve} reports, one line per event: text for people (config and backing writes
 * left out), or JSON Lines with every event (docs/JSON.md). Events come from the serving thread and
 * the control thread; lines never interleave.
 */
final class ServeLog implements Consumer<ServerEvent> {

    private final PrintWriter text;
    private final JsonGenerator json;

    private ServeLog(PrintWriter text, JsonGenerator json) {
        this.text = text;
        this.json = json;
    }

    static ServeLog text(PrintWriter out) {
        return new ServeLog(out, null);
    }

    static ServeLog json(OutputStream out) {
        try {
            JsonGenerator g = new JsonFactory().setRootValueSeparator(null).createGenerator(out, JsonEncoding.UTF8);
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            return new ServeLog(null, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean isJson() {
        return json != null;
    }

    JsonGenerator generator() {
        return json;
    }

    /** Ends a JSON line written through {@link #generator()} and flushes it. */
    synchronized void endLine() throws IOException {
        json.flush();
        json.writeRaw('\n');
        json.flush();
    }

    @Override
    public synchronized void accept(ServerEvent e) {
        try {
            if (json != null) {
                json(e);
                endLine();
            } else {
                String line = text(e);
                if (line != null) {
                    text.println(line);
                    text.flush();
                }
            }
        } catch (IOException io) {
            throw new UncheckedIOException(io);
        }
    }

    private static String text(ServerEvent e) {
        return switch (e) {
            case ServerEvent.Listening l -> "listening on " + l.socket();
            case ServerEvent.Connected c -> "client connected";
            case ServerEvent.Negotiated n -> "negotiated vfio-user " + n.major() + "." + n.minor();
            case ServerEvent.ErrorReply r -> String.format("error reply to %s: errno %d: %s", r.command(), r.errno(),
                    r.why());
            case ServerEvent.Descriptors d -> String.format("%d descriptors with %s: %s", d.count(), d.command(),
                    d.fate());
            case ServerEvent.ConfigWrite w -> null;
            case ServerEvent.BackingWrite w -> null;
            case ServerEvent.Vmm v -> "vmm: " + vmm(v.event());
            case ServerEvent.Reset r -> "reset (" + r.cause() + "): served registers back to their reset values";
            case ServerEvent.Migration m -> m.admitted() ? "migrated in place to " + m.destination() + ": " + m.detail()
                    : String.format("migration to %s refused (%s%s): %s", m.destination(), m.rule(),
                            m.offset() >= 0 ? String.format(" at 0x%03x", m.offset()) : "", m.detail());
            case ServerEvent.Disconnected d -> d.reason() == null ? "client disconnected"
                    : "connection closed: " + d.reason();
            case ServerEvent.Stopped s -> "stopped: " + s.why();
        };
    }

    static String vmm(VmmEvent e) {
        return switch (e) {
            case VmmEvent.PasidControl p -> String.format("PASID@0x%03x Control: Enable%s Exec%s Priv%s",
                    p.capabilityOffset(), sign(p.enabled()), sign(p.execute()), sign(p.privileged()));
            case VmmEvent.AtsControl a -> String.format("ATS@0x%03x Control: Enable%s STU %d", a.capabilityOffset(),
                    sign(a.enabled()), a.smallestTranslationUnit());
            case VmmEvent.PriControl p -> String.format("PRI@0x%03x Control: Enable%s", p.capabilityOffset(),
                    sign(p.enabled()));
            case VmmEvent.PriReset p -> String.format("PRI@0x%03x Reset", p.capabilityOffset());
            case VmmEvent.PriAllocation p -> String.format("PRI@0x%03x Allocation %d", p.capabilityOffset(),
                    p.allocation());
            case VmmEvent.FunctionLevelReset f -> String.format("Initiate FLR (PCI Express@0x%02x)",
                    f.capabilityOffset());
        };
    }

    private static String sign(boolean b) {
        return b ? "+" : "-";
    }

    private void json(ServerEvent e) throws IOException {
        JsonGenerator g = json;
        g.writeStartObject();
        switch (e) {
            case ServerEvent.Listening l -> {
                g.writeStringField("event", "listening");
                g.writeStringField("socket", l.socket().toString());
            }
            case ServerEvent.Connected c -> g.writeStringField("event", "connected");
            case ServerEvent.Negotiated n -> {
                g.writeStringField("event", "negotiated");
                g.writeNumberField("major", n.major());
                g.writeNumberField("minor", n.minor());
                g.writeStringField("clientCapabilities", n.clientCapabilities());
            }
            case ServerEvent.ErrorReply r -> {
                g.writeStringField("event", "error-reply");
                g.writeStringField("command", r.command());
                g.writeNumberField("errno", r.errno());
                g.writeStringField("reason", r.why());
            }
            case ServerEvent.Descriptors d -> {
                g.writeStringField("event", "descriptors");
                g.writeStringField("command", d.command());
                g.writeNumberField("count", d.count());
                g.writeStringField("fate", d.fate());
            }
            case ServerEvent.ConfigWrite w -> access(g, "config-write", w.offset(), w.width(), w.value());
            case ServerEvent.BackingWrite w -> access(g, "backing-write", w.offset(), w.width(), w.value());
            case ServerEvent.Vmm v -> {
                g.writeStringField("event", "vmm");
                vmmJson(g, v.event());
            }
            case ServerEvent.Reset r -> {
                g.writeStringField("event", "reset");
                g.writeStringField("cause", r.cause());
            }
            case ServerEvent.Migration m -> {
                g.writeStringField("event", "migration");
                g.writeStringField("destination", m.destination());
                g.writeBooleanField("admitted", m.admitted());
                if (m.rule() != null) {
                    g.writeStringField("rule", m.rule());
                    g.writeNumberField("offset", m.offset());
                }
                g.writeStringField("detail", m.detail());
            }
            case ServerEvent.Disconnected d -> {
                g.writeStringField("event", "disconnected");
                if (d.reason() == null) {
                    g.writeNullField("reason");
                } else {
                    g.writeStringField("reason", d.reason());
                }
            }
            case ServerEvent.Stopped s -> {
                g.writeStringField("event", "stopped");
                g.writeStringField("reason", s.why());
            }
        }
        g.writeEndObject();
    }

    private static void access(JsonGenerator g, String event, int offset, int width, int value) throws IOException {
        g.writeStringField("event", event);
        g.writeNumberField("offset", offset);
        g.writeNumberField("width", width);
        g.writeNumberField("value", Integer.toUnsignedLong(value));
    }

    private static void vmmJson(JsonGenerator g, VmmEvent e) throws IOException {
        g.writeNumberField("capabilityOffset", e.capabilityOffset());
        switch (e) {
            case VmmEvent.PasidControl p -> {
                g.writeStringField("kind", "pasid-control");
                g.writeBooleanField("enabled", p.enabled());
                g.writeBooleanField("execute", p.execute());
                g.writeBooleanField("privileged", p.privileged());
            }
            case VmmEvent.AtsControl a -> {
                g.writeStringField("kind", "ats-control");
                g.writeBooleanField("enabled", a.enabled());
                g.writeNumberField("stu", a.smallestTranslationUnit());
            }
            case VmmEvent.PriControl p -> {
                g.writeStringField("kind", "pri-control");
                g.writeBooleanField("enabled", p.enabled());
            }
            case VmmEvent.PriReset p -> g.writeStringField("kind", "pri-reset");
            case VmmEvent.PriAllocation p -> {
                g.writeStringField("kind", "pri-allocation");
                g.writeNumberField("allocation", Integer.toUnsignedLong(p.allocation()));
            }
            case VmmEvent.FunctionLevelReset f -> g.writeStringField("kind", "flr");
        }
    }
}
