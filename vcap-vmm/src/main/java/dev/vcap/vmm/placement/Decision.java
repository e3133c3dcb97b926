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
 */
public record Decision(SyntheticCapability capability, OptionalInt offset, String policy, String reason, boolean refused,
        List<PolicyResult> trail, List<Rejection> rejected) {

    public Decision {
        trail = List.copyOf(trail);
        rejected = List.copyOf(rejected);
    }

    public boolean placed() {
        return offset.isPresent();
    }
}
