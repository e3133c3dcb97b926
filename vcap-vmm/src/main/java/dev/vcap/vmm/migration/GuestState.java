package dev.vcap.vmm.migration;

import dev.vcap.vmm.config.VirtualConfigSpace;
import java.util.List;

/**
 * The guest-writable bits a source sends with its contract: PASID, PRI and ATS control, PRI
 * allocation, MSI and MSI-X state, the emulated header fields. A destination restores them after
 * admission; the VMM then re-establishes what they mean.
 *
 * @param bytes every byte with writable or write-1-to-clear emulated bits
 */
public record GuestState(List<Byte> bytes) {

    /**
     * One byte of state.
     *
     * @param offset where
     * @param mask   its guest-writable bits
     * @param value  their values
     */
    public record Byte(int offset, int mask, int value) {
    }

    public GuestState {
        bytes = List.copyOf(bytes);
    }

    /** Restores this state into an admitted destination. */
    public void restore(VirtualConfigSpace vcs) {
        for (Byte b : bytes) {
            vcs.restore(b.offset(), b.value());
        }
    }
}
