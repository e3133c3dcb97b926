package dev.vcap.vmm.placement;

import java.util.List;

/** A policy's outcome and the candidates it turned down on the way. */
public record PolicyResult(String policy, Outcome outcome, List<Rejection> rejected) {

    public PolicyResult {
        rejected = List.copyOf(rejected);
    }

    static PolicyResult declined(String policy, String reason) {
        return new PolicyResult(policy, new Outcome.Declined(reason), List.of());
    }
}
