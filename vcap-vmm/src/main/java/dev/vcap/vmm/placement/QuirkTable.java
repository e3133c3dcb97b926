package dev.vcap.vmm.placement;

import dev.vcap.vmm.files.YamlNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Quirk tables: the one shipped with vcap ({@code quirks.yaml} beside this class, documented in
 * docs/QUIRKS.md) plus any operator files. Later files extend earlier ones; an entry with the
 * same {@code id} replaces the earlier entry.
 */
public final class QuirkTable {

    /** Where the shipped table lives on the class path. */
    public static final String SHIPPED = "quirks.yaml";

    private static final Set<String> ROOT_KEYS = Set.of("version", "quirks");
    private static final Set<String> ENTRY_KEYS = Set.of("id", "description", "match", "forbid", "prefer", "source");
    private static final Set<String> CAPABILITIES = Set.of("PASID", "PRI", "ATS", "GPUDIRECT", "VMD_SHADOW", "ANY");
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private final List<Quirk> quirks;

    private QuirkTable(List<Quirk> quirks) {
        this.quirks = List.copyOf(quirks);
    }

    public static QuirkTable empty() {
        return new QuirkTable(List.of());
    }

    /** The shipped table. */
    public static QuirkTable shipped() {
        try (InputStream in = QuirkTable.class.getResourceAsStream(SHIPPED)) {
            if (in == null) {
                throw new IllegalStateException("the shipped quirk table is missing from the class path");
            }
            return new QuirkTable(parse(YamlNode.parse(new InputStreamReader(in, StandardCharsets.UTF_8),
                    "quirks.yaml (shipped)")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This table extended (and, for equal ids, overridden) by an operator's file. */
    public QuirkTable with(Path file) {
        return with(parse(YamlNode.load(file, "a quirk table (YAML text, docs/QUIRKS.md)")));
    }

    /** This table extended by quirks parsed from text (for tests). */
    public QuirkTable with(Reader reader, String name) {
        return with(parse(YamlNode.parse(reader, name)));
    }

    /** This table extended (and, for equal ids, overridden) by entries built in code. */
    public QuirkTable with(List<Quirk> more) {
        Map<String, Quirk> byId = new LinkedHashMap<>();
        quirks.forEach(q -> byId.put(q.id(), q));
        more.forEach(q -> byId.put(q.id(), q));
        return new QuirkTable(new ArrayList<>(byId.values()));
    }

    public List<Quirk> all() {
        return quirks;
    }

    /** Entries that match a device, most specific first. */
    public List<Quirk> matching(DeviceIdentity device) {
        List<Quirk> out = new ArrayList<>();
        for (Quirk q : quirks) {
            if (q.match().matches(device)) {
                out.add(q);
            }
        }
        out.sort((a, b) -> Integer.compare(b.match().specificity(), a.match().specificity()));
        return out;
    }

    static List<Quirk> parse(YamlNode root) {
        root.onlyKeys(ROOT_KEYS);
        int version = root.required("version").integer(0, Integer.MAX_VALUE);
        if (version != 1) {
            throw root.required("version").error("unsupported version " + version + "; expected 1");
        }
        List<Quirk> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (YamlNode entry : root.required("quirks").items()) {
            entry.onlyKeys(ENTRY_KEYS);
            YamlNode idNode = entry.required("id");
            String id = idNode.text().trim();
            if (!ID.matcher(id).matches()) { // compiled once, not once an entry as String.matches does
                throw idNode.error("'" + id + "' is not a valid id; expected kebab-case letters, digits and dashes");
            }
            if (!ids.add(id)) {
                throw idNode.error("duplicate id '" + id + "' in this file; expected each id once");
            }
            List<Quirk.Forbidden> forbidden = new ArrayList<>();
            for (YamlNode f : entry.optional("forbid").map(YamlNode::items).orElse(List.of())) {
                f.onlyKeys(Set.of("range", "reason"));
                YamlNode range = f.required("range");
                try {
                    forbidden.add(new Quirk.Forbidden(ByteRanges.parseOne(range.text().trim()), f.required("reason").text()));
                } catch (IllegalArgumentException e) {
                    throw range.error(e.getMessage());
                }
            }
            List<Quirk.Preferred> preferred = new ArrayList<>();
            for (YamlNode p : entry.optional("prefer").map(YamlNode::items).orElse(List.of())) {
                p.onlyKeys(Set.of("capability", "offset", "reason"));
                YamlNode offset = p.required("offset");
                int value = offset.integer(0x40, 0xFFC);
                if (value % 4 != 0) {
                    throw offset.error(String.format("0x%x is not dword aligned; expected a multiple of 4", value));
                }
                preferred.add(new Quirk.Preferred(p.required("capability").choice(CAPABILITIES), value,
                        p.optional("reason").map(YamlNode::text).orElse("")));
            }
            if (forbidden.isEmpty() && preferred.isEmpty()) {
                throw entry.error("entry '" + id + "' neither forbids ranges nor prefers offsets; expected 'forbid' or"
                        + " 'prefer'");
            }
            String source = entry.required("source").text().trim();
            if (source.isEmpty()) {
                throw entry.required("source").error("empty; every entry cites its public source");
            }
            out.add(new Quirk(id, entry.optional("description").map(YamlNode::text).orElse(""),
                    DeviceMatch.parse(entry.required("match")), forbidden, preferred, source,
                    entry.file() + ":" + entry.line()));
        }
        return out;
    }

}
