package dev.vcap.vmm.placement;

import dev.vcap.vmm.files.YamlNode;
import java.util.List;
import java.util.Set;

/**
 * Which devices a quirk or layout applies to. Vendor is required; every other key is optional and
 * a list means "any of" (never empty). Class matches under a mask (default all 24 bits).
 */
public record DeviceMatch(List<Integer> vendors, List<Integer> devices, List<Integer> subsystemVendors,
        List<Integer> subsystems, List<Integer> revisions, Integer classCode, int classMask) {

    static final Set<String> KEYS = Set.of("vendor", "device", "subsystemVendor", "subsystem", "revision", "class",
            "classMask");

    public boolean matches(DeviceIdentity id) {
        return vendors.contains(id.vendor()) && anyOrContains(devices, id.device())
                && anyOrContains(subsystemVendors, id.subsystemVendor()) && anyOrContains(subsystems, id.subsystem())
                && anyOrContains(revisions, id.revision())
                && (classCode == null || (id.classCode() & classMask) == (classCode & classMask));
    }

    /** How specific the match is: more keys given, more specific (for ordering and overrides). */
    public int specificity() {
        return (devices.isEmpty() ? 0 : 8) + (subsystemVendors.isEmpty() ? 0 : 4) + (subsystems.isEmpty() ? 0 : 4)
                + (revisions.isEmpty() ? 0 : 2) + (classCode == null ? 0 : 1);
    }

    private static boolean anyOrContains(List<Integer> values, int value) {
        return values.isEmpty() || values.contains(value);
    }

    static DeviceMatch parse(YamlNode node) {
        node.onlyKeys(KEYS);
        return new DeviceMatch(
                ids(node.required("vendor"), 0xFFFF),
                node.optional("device").map(n -> ids(n, 0xFFFF)).orElse(List.of()),
                node.optional("subsystemVendor").map(n -> ids(n, 0xFFFF)).orElse(List.of()),
                node.optional("subsystem").map(n -> ids(n, 0xFFFF)).orElse(List.of()),
                node.optional("revision").map(n -> ids(n, 0xFF)).orElse(List.of()),
                node.optional("class").map(n -> n.integer(0, 0xFFFFFF)).orElse(null),
                node.optional("classMask").map(n -> n.integer(0, 0xFFFFFF)).orElse(0xFFFFFF));
    }

    /**
     * A list of IDs, or one. An empty list is refused: as {@code vendor} (required) it would match
     * no device, silently; as an optional key it would have to mean "any", the opposite of what an
     * empty list of allowed values says — leave the key out for "any".
     */
    private static List<Integer> ids(YamlNode node, int max) {
        List<YamlNode> items = node.items();
        if (items.isEmpty()) {
            throw node.error("an empty list matches no device; expected at least one ID (leave the field out to match"
                    + " any)");
        }
        return items.stream().map(n -> n.integer(0, max)).toList();
    }
}
