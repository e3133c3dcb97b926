package dev.vcap.pci.capability;

import java.util.Optional;

/**
 * One capability found by walking a chain.
 *
 * @param space       which list
 * @param offset      where its header is
 * @param id          capability ID (8 bits standard, 16 bits extended)
 * @param version     extended header version, or the version a standard capability carries in its
 *                    registers (PM, PCI Express); {@link #NO_VERSION} when there is none
 * @param length      architected length in bytes; when {@link #lengthKnown()} is false, the distance
 *                    to the next capability above it (or to the end of its space)
 * @param lengthKnown whether the catalogue knew the structure's size
 * @param next        the next pointer as read, reserved bits cleared
 */
public record Capability(CapabilitySpace space, int offset, int id, int version, int length, boolean lengthKnown,
        int next) {

    public static final int NO_VERSION = -1;

    /** The catalogue entry, when the ID is known. */
    public Optional<CapabilityKind> kind() {
        return CapabilityKind.lookup(space, id);
    }

    /** The catalogue entry if it is exactly {@code kind}. */
    public boolean is(CapabilityKind kind) {
        return kind.space() == space && kind.id() == id;
    }

    public String name() {
        return CapabilityKind.nameOf(space, id);
    }

    public boolean hasVersion() {
        return version != NO_VERSION;
    }

    /** First byte after the structure. */
    public int end() {
        return offset + length;
    }

    /** True when {@code [start, end)} intersects this capability's bytes. */
    public boolean overlaps(int start, int end) {
        return start < end() && offset < end;
    }

    @Override
    public String toString() {
        return String.format("%s %s@0x%x%s len=%d", space.label(), name(), offset, hasVersion() ? " v" + version : "",
                length);
    }
}
