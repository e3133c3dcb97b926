package dev.vcap.vmm.config;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.CapabilitySpace;

/**
 * A capability in the guest-visible chain.
 *
 * @param space   which list
 * @param offset  where its header is in the guest's config space
 * @param id      capability ID
 * @param version extended header version (standard: the version its registers carry, or -1)
 * @param length  bytes the VMM reserves for it (the architected length)
 * @param origin  physical, virtualized, synthesized or virtual
 */
public record VirtualCapability(CapabilitySpace space, int offset, int id, int version, int length, Origin origin) {

    public int end() {
        return offset + length;
    }

    public boolean overlaps(int start, int end) {
        return start < end() && offset < end;
    }

    public String name() {
        return CapabilityKind.nameOf(space, id);
    }

    public boolean is(CapabilityKind kind) {
        return kind.space() == space && kind.id() == id;
    }

    @Override
    public String toString() {
        // concatenated, not formatted: placement names the capability in each refusal it reports
        return space.label() + " " + name() + "@0x" + Integer.toHexString(offset) + " (" + length + " bytes, "
                + origin.label() + ")";
    }
}
