package dev.vcap.vmm.placement;

import dev.vcap.vmm.config.VirtualConfigSpace;
import java.util.List;
import java.util.Optional;

/**
 * The result of placing: one decision per requested capability, the actions taken before placing
 * (hiding, a layout's dispositions), and the virtual config space with every placed capability
 * inserted.
 *
 * @param decisions one per requested capability, in request order
 * @param actions   hiding and layout actions, for the record
 * @param vcs       the guest-visible config space
 */
public record PlacementPlan(List<Decision> decisions, List<String> actions, VirtualConfigSpace vcs) {

    public PlacementPlan {
        decisions = List.copyOf(decisions);
        actions = List.copyOf(actions);
    }

    /** True when any policy refused: the plan must not be used. */
    public boolean refused() {
        return decisions.stream().anyMatch(Decision::refused);
    }

    /** True when the plan must not be used: a policy refused, or a placement reports an error finding. */
    public boolean unusable() {
        return decisions.stream().anyMatch(Decision::unusable);
    }

    public Optional<Decision> decision(SyntheticCapability c) {
        return decisions.stream().filter(d -> d.capability() == c).findFirst();
    }
}
