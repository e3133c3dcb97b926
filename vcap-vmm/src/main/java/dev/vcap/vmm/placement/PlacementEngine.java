package dev.vcap.vmm.placement;

import dev.vcap.vmm.config.CapabilityDefinition;
import dev.vcap.vmm.config.VirtualConfigSpace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Places synthesized capabilities in a virtual config space through the ordered policy chain
 * ({@link PlacementPolicy#chain()}), or as QEMU 11.0 does ({@link PlacementOptions.Compat#QEMU},
 * {@link QemuVpasid}).
 * Capabilities are placed one after another in request order, each inserted before the next is
 * considered, so PASID, PRI and ATS placed together never collide. A capability of a requested
 * kind that the device itself shows the guest (a raw dump; vfio would have hidden PASID) is
 * dropped first: the synthesized one replaces it. Deterministic: the same inputs give the same
 * plan.
 */
public final class PlacementEngine {

    /** QEMU 11.0's default vPASID offset: the last 8 bytes of extended config space. */
    public static final int QEMU_DEFAULT_PASID_OFFSET = 0xFF8;

    private PlacementEngine() {
    }

    /**
     * Places each requested capability.
     *
     * @param vcs       the guest's config space, after the hiding policy; placed capabilities are inserted into it
     * @param requests  capability -> its definition (from the synthesizers), in the order to place them
     * @param options   the chain's inputs
     */
    public static PlacementPlan place(VirtualConfigSpace vcs, Map<SyntheticCapability, CapabilityDefinition> requests,
            PlacementOptions options) {
        List<String> actions = new ArrayList<>();
        if (options.compat() == PlacementOptions.Compat.QEMU) {
            // QEMU replaces nothing: what vfio shows passes through
            List<Decision> decisions = new ArrayList<>();
            requests.forEach((c, definition) -> decisions.add(QemuVpasid.place(vcs, c, definition,
                    options.explicit().get(c))));
            return new PlacementPlan(decisions, actions, vcs);
        }
        DeviceIdentity identity = DeviceIdentity.of(vcs);
        if (options.layout() != null && options.layout().match().matches(identity)) {
            actions.addAll(LayoutApplier.apply(options.layout(), vcs));
        }
        for (SyntheticCapability c : requests.keySet()) {
            vcs.layout().find(c.kind()).ifPresent(physical -> {
                vcs.editor().drop(physical, "replaced by the synthesized " + c);
                actions.add("dropped the device's own " + physical + ": the synthesized " + c + " replaces it");
            });
        }
        PlacementContext ctx = new PlacementContext(identity, vcs, options.quirks().matching(identity), options);
        List<Decision> decisions = new ArrayList<>();
        for (var request : new LinkedHashMap<>(requests).entrySet()) {
            SyntheticCapability c = request.getKey();
            Decision d = chain(ctx, c);
            if (d.placed()) {
                vcs.editor().insert(d.offset().getAsInt(), request.getValue());
            }
            decisions.add(d);
        }
        return new PlacementPlan(decisions, actions, vcs);
    }

    /**
     * The decision for a capability the host cannot offer at all (no PASID from GET_HW_INFO): not
     * exposed, by {@code policy} ({@code not-exposed}, or {@code qemu-11.0} in QEMU's mode), for
     * {@code why}, with no policy asked.
     */
    public static Decision withheld(SyntheticCapability c, String policy, String why) {
        return new Decision(c, OptionalInt.empty(), policy, why, false, List.of(), List.of());
    }

    /**
     * Asks every policy of vcap's chain, each on its own, where {@code capability} would go in
     * {@code vcs} as it stands: nothing is placed, dropped or changed, and a policy that places does
     * not stop the others being asked. For comparing policies over many devices ({@code vcap
     * survey}); {@link #place} is the chain itself.
     *
     * @return one result per policy, in chain order
     */
    public static List<PolicyResult> askEach(VirtualConfigSpace vcs, SyntheticCapability capability,
            PlacementOptions options) {
        DeviceIdentity identity = DeviceIdentity.of(vcs);
        PlacementContext ctx = new PlacementContext(identity, vcs, options.quirks().matching(identity), options);
        List<PolicyResult> out = new ArrayList<>();
        for (PlacementPolicy policy : PlacementPolicy.chain()) {
            out.add(policy.consider(ctx, capability));
        }
        return out;
    }

    private static Decision chain(PlacementContext ctx, SyntheticCapability c) {
        List<PolicyResult> trail = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        for (PlacementPolicy policy : PlacementPolicy.chain()) {
            PolicyResult r = policy.consider(ctx, c);
            trail.add(r);
            rejected.addAll(r.rejected());
            switch (r.outcome()) {
                case Outcome.Placed p -> {
                    return new Decision(c, OptionalInt.of(p.offset()), r.policy(), p.reason(), false, trail, rejected);
                }
                case Outcome.Refused f -> {
                    return new Decision(c, OptionalInt.empty(), r.policy(), f.reason(), true, trail, rejected);
                }
                case Outcome.Withheld w -> {
                    return new Decision(c, OptionalInt.empty(), r.policy(), w.reason(), false, trail, rejected);
                }
                case Outcome.Declined d -> {
                    // ask the next policy
                }
            }
        }
        String why = c + " is not exposed: " + String.join("; ", trail.stream()
                .map(r -> r.policy() + ": " + r.outcome().reason()).toList());
        return new Decision(c, OptionalInt.empty(), "not-exposed", why, false, trail, rejected);
    }
}
