package dev.vcap.vmm.viommu;

import dev.vcap.host.Errno;

/** What happened to a guest's PASID-table change. */
public sealed interface BindOutcome {

    int pasid();

    /** Attached to {@code hwpt}; {@code replaced} when it replaced an earlier attachment. */
    record Bound(int pasid, int hwpt, boolean replaced) implements BindOutcome {
    }

    /** Detached (or was not attached). */
    record Unbound(int pasid, boolean wasBound) implements BindOutcome {
    }

    /**
     * Refused; the guest's vIOMMU reports an error for the entry.
     *
     * @param errno  the host's errno, or null when the VMM refused before asking the host
     * @param reason why, for the guest's log and the VMM's
     */
    record Refused(int pasid, Errno errno, String reason) implements BindOutcome {
    }
}
