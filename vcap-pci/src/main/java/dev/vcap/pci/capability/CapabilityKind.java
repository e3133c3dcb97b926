package dev.vcap.pci.capability;

import dev.vcap.pci.config.ConfigSpace;
import java.util.Optional;

/**
 * A catalogue entry: one capability ID in one space, with the name pciutils prints, a short
 * abbreviation (as in the corpus manifest) and the rule for its length.
 */
public sealed interface CapabilityKind permits StandardCapability, ExtendedCapability {

    CapabilitySpace space();

    int id();

    /** Short name, e.g. {@code PASID}, {@code EXP}, {@code VSEC}. */
    String abbreviation();

    /** The name pciutils prints for this capability, e.g. {@code Process Address Space ID (PASID)}. */
    String displayName();

    LengthRule lengthRule();

    /** The architected length, or {@link LengthRule#UNKNOWN}. */
    default int length(ConfigSpace cs, int offset, DeviceTraits traits) {
        return lengthRule().length(cs, offset, traits);
    }

    /** The catalogue entry for an ID, if the catalogue has one. */
    static Optional<CapabilityKind> lookup(CapabilitySpace space, int id) {
        return switch (space) {
            case STANDARD -> StandardCapability.byId(id).map(k -> k);
            case EXTENDED -> ExtendedCapability.byId(id).map(k -> k);
        };
    }

    /** A name for any ID: the catalogue's, or the form pciutils prints for IDs it does not know. */
    static String nameOf(CapabilitySpace space, int id) {
        if (space == CapabilitySpace.EXTENDED && id == 0) {
            return "Null";
        }
        return lookup(space, id).map(CapabilityKind::displayName).orElseGet(() -> space == CapabilitySpace.STANDARD
                ? String.format("#%02x", id)
                : String.format("Extended Capability ID %#x", id));
    }
}
