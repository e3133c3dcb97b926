package dev.vcap.vmm.config;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.CapabilitySpace;

/**
 * A capability the device has and the guest does not see: unlinked from the chain. Its bytes are
 * served by the VMM and never reach the device. A <em>dropped</em> capability also reads as zero,
 * so its space may be reused; a merely <em>hidden</em> one keeps reading its last contents.
 *
 * @param space   which list it was in
 * @param offset  where it is
 * @param id      capability ID
 * @param version header version
 * @param length  architected length
 * @param dropped whether its bytes were zeroed and released
 * @param reason  why it is hidden, for the decision record
 */
public record HiddenCapability(CapabilitySpace space, int offset, int id, int version, int length, boolean dropped,
        String reason) {

    public int end() {
        return offset + length;
    }

    public String name() {
        return CapabilityKind.nameOf(space, id);
    }
}
