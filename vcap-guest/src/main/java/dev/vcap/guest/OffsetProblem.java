package dev.vcap.guest;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.CapabilitySpace;

/**
 * A cached offset that no longer holds the capability the guest cached it for.
 *
 * @param field    the cached field
 * @param offset   the cached offset, re-read through the port
 * @param expected the capability the guest assumes is there
 * @param reason   what is wrong
 * @param found    what the port returned: the ID byte (standard) or the whole header dword
 *                 (extended)
 */
public record OffsetProblem(CachedField field, int offset, CapabilityKind expected, Reason reason, int found) {

    public enum Reason {
        /** Another capability ID is there (a null stub reads as ID 0). */
        WRONG_ID,
        /** Extended only: the header reads 0 (no capability) or 0xffffffff (nothing answers). */
        NO_HEADER,
        /** Extended only: the right ID, but a next offset below 0x100 that is not 0. */
        BAD_NEXT
    }

    /** The ID found at the offset. */
    public int foundId() {
        return expected.space() == CapabilitySpace.STANDARD ? found & 0xFF : found & 0xFFFF;
    }

    /** One line for logs and reports. */
    public String describe() {
        String where = String.format("%s at 0x%x (%s)", field.kernelName(), offset, expected.abbreviation());
        return switch (reason) {
            case WRONG_ID -> String.format("%s: found %s", where, CapabilityKind.nameOf(expected.space(), foundId()));
            case NO_HEADER -> String.format("%s: header reads 0x%08x", where, found);
            case BAD_NEXT -> String.format("%s: next offset 0x%03x points below 0x100", where, found >>> 20 & 0xFFC);
        };
    }

    @Override
    public String toString() {
        return describe();
    }
}
