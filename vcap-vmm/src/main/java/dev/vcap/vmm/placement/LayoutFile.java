package dev.vcap.vmm.placement;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.vmm.files.YamlNode;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An operator's full description of a device model's virtual config space (docs/LAYOUT.md):
 * which capabilities the guest sees, where, and whether each is passed through, hidden or
 * synthesized. Versioned and validated on load; applied only to devices it matches, and only
 * when the device has exactly the capabilities it describes.
 *
 * @param name         the layout's name
 * @param description  free text
 * @param match        which device models it describes
 * @param entries      every capability, in file order
 * @param origin       the file it came from
 */
public record LayoutFile(String name, String description, DeviceMatch match, List<Entry> entries, String origin) {

    /** What the guest gets of a capability. */
    public enum Disposition {
        /** The device's own capability at its physical offset. */
        PASSTHROUGH,
        /** The device has it; the guest does not see it. */
        HIDE,
        /** Built by the VMM at this offset (PASID, PRI or ATS). */
        SYNTHESIZE
    }

    /**
     * One capability of the layout.
     *
     * @param space       which list
     * @param id          capability ID
     * @param offset      its offset
     * @param disposition passthrough, hide or synthesize
     * @param line        where it is in the file
     */
    public record Entry(CapabilitySpace space, int id, int offset, Disposition disposition, int line) {
        public String name() {
            return CapabilityKind.nameOf(space, id);
        }
    }

    private static final Set<String> ROOT_KEYS = Set.of("version", "name", "description", "match", "capabilities");
    private static final Set<String> ENTRY_KEYS = Set.of("capability", "id", "space", "offset", "disposition");

    public static LayoutFile load(Path file) {
        return parse(YamlNode.load(file, "a layout file (YAML text, docs/LAYOUT.md)"));
    }

    public static LayoutFile parse(Reader reader, String name) {
        return parse(YamlNode.parse(reader, name));
    }

    /** The synthesize entry for a capability, if the layout has one. */
    public Optional<Entry> synthesized(SyntheticCapability c) {
        return entries.stream().filter(e -> e.disposition() == Disposition.SYNTHESIZE && e.space() == CapabilitySpace.EXTENDED
                && e.id() == c.kind().id()).findFirst();
    }

    static LayoutFile parse(YamlNode root) {
        root.onlyKeys(ROOT_KEYS);
        YamlNode version = root.required("version");
        if (version.integer(0, Integer.MAX_VALUE) != 1) {
            throw version.error("unsupported version " + version.text() + "; expected 1");
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (YamlNode n : root.required("capabilities").items()) {
            n.onlyKeys(ENTRY_KEYS);
            CapabilitySpace space;
            int id;
            if (n.optional("capability").isPresent()) {
                YamlNode cap = n.required("capability");
                Optional<CapabilityKind> kind = byAbbreviation(cap.text());
                if (kind.isEmpty()) {
                    throw cap.error("'" + cap.text() + "' is not a capability name; expected an abbreviation such as AER,"
                            + " PASID, PRI, ATS, SR-IOV, EXP, MSI-X (or give 'id' and 'space')");
                }
                space = kind.get().space();
                id = kind.get().id();
            } else {
                space = CapabilitySpace.valueOf(n.required("space").choice(Set.of("STANDARD", "EXTENDED")));
                id = n.required("id").integer(0, space == CapabilitySpace.STANDARD ? 0xFF : 0xFFFF);
            }
            YamlNode offsetNode = n.required("offset");
            int low = space == CapabilitySpace.STANDARD ? ConfigSpace.HEADER_SIZE : ConfigSpace.CONVENTIONAL_SIZE;
            int high = space == CapabilitySpace.STANDARD ? 0xFC : 0xFFC;
            int offset = offsetNode.integer(low, high);
            if (offset % 4 != 0) {
                throw offsetNode.error(String.format("0x%x is not dword aligned; expected a multiple of 4", offset));
            }
            YamlNode dispNode = n.required("disposition");
            Disposition disposition = Disposition.valueOf(dispNode.choice(Set.of("PASSTHROUGH", "HIDE", "SYNTHESIZE")));
            if (disposition == Disposition.SYNTHESIZE && synthetic(space, id).isEmpty()) {
                throw dispNode.error("only PASID, PRI and ATS can be synthesized, not " + CapabilityKind.nameOf(space, id));
            }
            Integer earlier = seen.put(space + "@" + offset, n.line());
            if (earlier != null) {
                throw offsetNode.error(String.format("a second capability at 0x%x (the first is on line %d); expected one"
                        + " per offset", offset, earlier));
            }
            entries.add(new Entry(space, id, offset, disposition, n.line()));
        }
        checkSynthesizedFit(root, entries);
        return new LayoutFile(root.optional("name").map(YamlNode::text).orElse(root.file()),
                root.optional("description").map(YamlNode::text).orElse(""), DeviceMatch.parse(root.required("match")),
                List.copyOf(entries), root.file());
    }

    /** Synthesized structures have known lengths: they must not overlap any entry at a higher offset. */
    private static void checkSynthesizedFit(YamlNode root, List<Entry> entries) {
        for (Entry e : entries) {
            if (e.disposition() != Disposition.SYNTHESIZE) {
                continue;
            }
            int length = synthetic(e.space(), e.id()).orElseThrow().length();
            if (e.offset() + length > ConfigSpace.EXTENDED_SIZE) {
                throw new dev.vcap.vmm.files.FileFormatException(root.file(), e.line(), "capabilities",
                        String.format("%s at 0x%x runs past 0xfff", e.name(), e.offset()));
            }
            for (Entry other : entries) {
                if (other != e && other.space() == e.space() && other.offset() > e.offset()
                        && other.offset() < e.offset() + length) {
                    throw new dev.vcap.vmm.files.FileFormatException(root.file(), other.line(), "capabilities",
                            String.format("%s at 0x%x lies inside %s at 0x%x (%d bytes)", other.name(), other.offset(),
                                    e.name(), e.offset(), length));
                }
            }
        }
    }

    static Optional<SyntheticCapability> synthetic(CapabilitySpace space, int id) {
        if (space != CapabilitySpace.EXTENDED) {
            return Optional.empty();
        }
        for (SyntheticCapability c : SyntheticCapability.values()) {
            if (c.kind().id() == id) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** A catalogue entry by its abbreviation (case-insensitive), extended first. */
    static Optional<CapabilityKind> byAbbreviation(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        for (ExtendedCapability e : ExtendedCapability.values()) {
            if (e.abbreviation().toUpperCase(Locale.ROOT).equals(n) || e.name().equals(n)) {
                return Optional.of(e);
            }
        }
        for (StandardCapability s : StandardCapability.values()) {
            if (s.abbreviation().toUpperCase(Locale.ROOT).equals(n) || s.name().equals(n)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
