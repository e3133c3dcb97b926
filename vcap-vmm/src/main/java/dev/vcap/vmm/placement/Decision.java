package dev.vcap.vmm.placement;

import java.util.List;
import java.util.OptionalInt;

/**
 * How one capability was placed, or why it was not: the policy that decided, its reason, and
 * every policy asked and candidate turned down on the way.
 *
 * @param capability PASID, PRI or ATS
 * @param offset     where it went, or empty when it is not exposed
 * @param policy     the deciding policy ({@code not-exposed} when none placed it)
 * @param reason     the deciding reason
 * @param refused    whether a policy refused (a hard error for the plan)
 * @param trail      each policy asked, in order, with its outcome
 * @param rejected   candidates turned down, in the order considered
 * @param findings   what the placement does to the guest that its user must know (QEMU 11.0's mode)
 */
public record Decision(SyntheticCapability capability, OptionalInt offset, String policy, String reason, boolean refused,
        List<PolicyResult> trail, List<Rejection> rejected, List<PlacementFinding> findings) {

    public Decision {
        trail = List.copyOf(trail);
        rejected = List.copyOf(rejected);
        findings = List.copyOf(findings);
    }

    /** A decision of vcap's chain: its policies refuse rather than report findings. */
    Decision(SyntheticCapability capability, OptionalInt offset, String policy, String reason, boolean refused,
            List<PolicyResult> trail, List<Rejection> rejected) {
        this(capability, offset, policy, reason, refused, trail, rejected, List.of());
    }

    /** True when the plan must not be used: a policy refused, or the placement reports an error. */
    public boolean unusable() {
        return refused || findings.stream().anyMatch(PlacementFinding::isError);
    }

    public boolean placed() {
        return offset.isPresent();
    }
}
