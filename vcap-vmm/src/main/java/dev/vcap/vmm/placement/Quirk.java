package dev.vcap.vmm.placement;

import dev.vcap.pci.occupancy.ByteRange;
import java.util.List;

/**
 * One entry of a quirk table: the devices it matches, the byte ranges no virtual capability may
 * cover (registers a vendor keeps in gaps), and offsets to try first.
 *
 * @param id          unique name; a later table's entry with the same id replaces it
 * @param description what the entry protects
 * @param match       which devices
 * @param forbidden   ranges no virtual capability may cover, each with its reason
 * @param preferred   offsets to try first, per capability
 * @param source      the public source of the facts
 * @param origin      the file (and line) the entry came from
 */
public record Quirk(String id, String description, DeviceMatch match, List<Forbidden> forbidden,
        List<Preferred> preferred, String source, String origin) {

    /** A range no virtual capability may cover. */
    public record Forbidden(ByteRange range, String reason) {
    }

    /**
     * An offset to try first for a capability ({@code PASID}, {@code PRI}, {@code ATS},
     * {@code GPUDIRECT}, {@code VMD_SHADOW}, or {@code ANY}).
     */
    public record Preferred(String capability, int offset, String reason) {
        public boolean appliesTo(SyntheticCapability c) {
            return capability.equals("ANY") || capability.equals(c.name());
        }
    }
}
