package dev.vcap.vmm.migration;

import dev.vcap.host.ConfigRegion;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.occupancy.ByteRange;
import dev.vcap.vmm.config.CapabilityDefinition;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.placement.Decision;
import dev.vcap.vmm.placement.DeviceIdentity;
import dev.vcap.vmm.placement.DeviceMatch;
import dev.vcap.vmm.placement.PlacementEngine;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.PlacementPlan;
import dev.vcap.vmm.placement.Quirk;
import dev.vcap.vmm.placement.SyntheticCapability;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Plans one layout for a pool of devices — every host a VM may migrate to — or names the devices
 * it does not fit (docs/CONTRACT.md, "Pool planning").
 *
 * <p>One pass over the devices, keeping a few bytes per device:
 * <ol>
 * <li>Each device is keyed by its <em>chain</em>: identity, config size and every capability
 * (space, offset, ID, version, length) in chain order. The guest's view of a chain is built once
 * (host view, then the hiding policy), which fixes which bits are checked on migration and which
 * bytes are gaps.</li>
 * <li>Within a chain, each device gets a <em>fingerprint</em> of its checked bits; devices that
 * agree on chain and fingerprint form a class, and the largest class is the pool's core — the
 * devices the layout is planned on, since a contract fixes chain and checked bits.</li>
 * <li>The core's devices' non-zero gap dwords are united and handed to placement as forbidden
 * ranges, so the synthesized capabilities land on bytes that read zero on every one of them. When
 * a capability fits nowhere, the candidate offset non-zero on the fewest devices is taken (greedy
 * per capability, in request order).</li>
 * <li>The contract is exported from the core's representative and admitted against one device of
 * every distinct (class, non-zero gap bytes) variant, core or not. Admission decides: the devices
 * it refuses are the blockers, each with admission's rule, first offending byte and reason — what
 * {@code vcap check-migration} says of that device against the contract.</li>
 * </ol>
 * Deterministic: ties go to the earlier device in input order.
 */
public final class PoolPlanner {

    /**
     * A device the pool's contract does not fit, and why: admission's refusal, the one {@code vcap
     * check-migration} gives for that device against the contract.
     *
     * @param device  its origin (file:line) and address
     * @param refusal the rule, the first offending byte and the reason
     */
    public record Blocker(String device, Admission.Result.Refused refusal) {
    }

    /**
     * The plan.
     *
     * @param contract  the contract valid on every device not blocking, empty when none could be made
     * @param devices   devices read
     * @param core      devices the contract is valid on
     * @param blockers  the smallest blocking set found, in input order
     * @param decisions the placement decisions on the core's representative
     * @param verified  distinct device classes the contract was admitted on
     */
    public record PoolPlan(Optional<LayoutContract> contract, int devices, int core, List<Blocker> blockers,
            List<Decision> decisions, int verified) {

        /** True when one contract is valid on every device. */
        public boolean complete() {
            return contract.isPresent() && blockers.isEmpty();
        }
    }

    /**
     * The planner's inputs besides the devices.
     *
     * @param requests  what to synthesize, in placement order
     * @param placement the placement options (quirks, free ranges, ...)
     * @param admission the options admission checks the contract with
     * @param hostView  the host's view of a device's config space (vfio's on a real host)
     */
    public record Options(Map<SyntheticCapability, CapabilityDefinition> requests, PlacementOptions placement,
            Admission.Options admission, Function<ConfigSpace, ConfigRegion> hostView) {
    }

    private record ChainKey(DeviceIdentity identity, int size, List<Long> capabilities) {
    }

    private record ClassKey(ChainKey chain, long fingerprint) {
    }

    /** What one chain's guest view fixes: checked bits and gap dwords. */
    private record ChainModel(ChainKey key, DeviceImage first, byte[] checked, int[] gapDwords) {
    }

    /** A class of devices that agree on chain and checked bits. */
    private static final class Core {
        final ChainModel chain;
        final long fingerprint;
        final DeviceImage representative;
        final int firstIndex;
        int count;
        /** Distinct gap bitmaps of its members, each with a representative and the members' indexes. */
        final Map<BitSet, Variant> variants = new LinkedHashMap<>();

        Core(ChainModel chain, long fingerprint, DeviceImage representative, int firstIndex) {
            this.chain = chain;
            this.fingerprint = fingerprint;
            this.representative = representative;
            this.firstIndex = firstIndex;
        }
    }

    private static final class Variant {
        final DeviceImage representative;
        final List<Integer> members = new ArrayList<>();

        Variant(DeviceImage representative) {
            this.representative = representative;
        }
    }

    private PoolPlanner() {
    }

    public static PoolPlan plan(Iterator<DeviceImage> devices, Options options) {
        Map<ChainKey, ChainModel> chains = new HashMap<>();
        Map<ClassKey, Core> classes = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        while (devices.hasNext()) {
            DeviceImage d = devices.next();
            int index = names.size();
            names.add(d.origin() + " " + d.address());
            ConfigSpace cs = d.config();
            ChainKey key = chainKey(cs);
            ChainModel chain = chains.computeIfAbsent(key, k -> model(k, d, options));
            long fingerprint = fingerprint(cs, chain.checked());
            Core core = classes.computeIfAbsent(new ClassKey(key, fingerprint), k -> new Core(chain, fingerprint, d, index));
            core.count++;
            core.variants.computeIfAbsent(nonZeroGaps(cs, chain.gapDwords()), b -> new Variant(d)).members.add(index);
        }
        if (names.isEmpty()) {
            return new PoolPlan(Optional.empty(), 0, 0, List.of(), List.of(), 0);
        }
        Core core = classes.values().stream().max(Comparator.comparingInt((Core c) -> c.count)
                .thenComparing(c -> -c.firstIndex)).orElseThrow();
        return placeOnCore(core, classes.values(), names, options);
    }

    private static PoolPlan placeOnCore(Core core, Collection<Core> classes, List<String> names, Options options) {
        BitSet excluded = new BitSet();
        List<Decision> decisions = new ArrayList<>();
        BitSet union = new BitSet();
        core.variants.keySet().forEach(union::or);
        DeviceIdentity identity = core.chain.key().identity();
        Map<SyntheticCapability, Integer> chosen = new LinkedHashMap<>();
        // the device the layout is planned on: the core's first, then the first not left out
        DeviceImage rep = core.representative;
        for (var request : options.requests().entrySet()) {
            SyntheticCapability c = request.getKey();
            Map<SyntheticCapability, CapabilityDefinition> one = Map.of(c, request.getValue());
            PlacementOptions placement = options.placement()
                    .withQuirks(options.placement().quirks().with(List.of(poolQuirk(identity, union, core))));
            VirtualConfigSpace trial = guestViewWith(rep.config(), options, chosen);
            PlacementPlan plan = PlacementEngine.place(trial, one, placement);
            Decision d = plan.decision(c).orElseThrow();
            if (!d.placed() && !d.refused() && d.policy().equals("not-exposed")) {
                Optional<int[]> fallback = leastBlocked(core, c.length(), trial, excluded);
                if (fallback.isPresent()) {
                    int offset = fallback.get()[0];
                    for (var v : core.variants.entrySet()) {
                        if (blocks(v.getKey(), offset, c.length())) {
                            v.getValue().members.forEach(excluded::set);
                            union.andNot(v.getKey());
                        }
                    }
                    rep = core.variants.values().stream().filter(v -> !v.members.stream().allMatch(excluded::get))
                            .findFirst().orElseThrow().representative;
                    trial = guestViewWith(rep.config(), options, chosen);
                    plan = PlacementEngine.place(trial, one, options.placement().withExplicit(Map.of(c, offset))
                            .withQuirks(options.placement().quirks().with(List.of(poolQuirk(identity, union, core)))));
                    d = plan.decision(c).orElseThrow();
                }
            }
            decisions.add(d);
            if (d.placed()) {
                chosen.put(c, d.offset().getAsInt());
            }
        }
        VirtualConfigSpace finalView = guestViewWith(rep.config(), options, chosen);
        LayoutContract contract = Contracts.export(finalView);
        // every device's verdict is admission's, as vcap check-migration gives it: one admission per
        // distinct (chain, checked bits, non-zero gap bytes) class decides for all its members
        Map<Integer, Blocker> blockers = new TreeMap<>();
        int verified = 0;
        for (Core c : classes) {
            for (Variant v : c.variants.values()) {
                Admission.Result r = Admission.admit(contract, options.hostView().apply(v.representative.config()),
                        options.admission());
                verified++;
                if (r instanceof Admission.Result.Refused refused) {
                    for (int member : v.members) {
                        blockers.put(member, new Blocker(names.get(member), refused));
                    }
                }
            }
        }
        return new PoolPlan(Optional.of(contract), names.size(), names.size() - blockers.size(),
                List.copyOf(blockers.values()), decisions, verified);
    }

    /** The candidate offset whose bytes read non-zero on the fewest core devices (then the highest). */
    private static Optional<int[]> leastBlocked(Core core, int length, VirtualConfigSpace vcs, BitSet excluded) {
        int[] best = null;
        for (int off = 0x100; off + length <= vcs.size(); off += 4) {
            if (vcs.editor().check(dev.vcap.pci.capability.CapabilitySpace.EXTENDED, off, length).isPresent()) {
                continue;
            }
            int blocked = 0;
            for (var v : core.variants.entrySet()) {
                if (blocks(v.getKey(), off, length)) {
                    blocked += (int) v.getValue().members.stream().filter(m -> !excluded.get(m)).count();
                }
            }
            if (best == null || blocked < best[1] || blocked == best[1] && off > best[0]) {
                best = new int[] {off, blocked};
            }
        }
        return Optional.ofNullable(best);
    }

    private static boolean blocks(BitSet nonZeroDwords, int offset, int length) {
        for (int d = offset >>> 2; d < (offset + length + 3) >>> 2; d++) {
            if (nonZeroDwords.get(d)) {
                return true;
            }
        }
        return false;
    }

    /** The union of the core's non-zero gap dwords, as a quirk entry placement respects. */
    private static Quirk poolQuirk(DeviceIdentity identity, BitSet union, Core core) {
        List<Quirk.Forbidden> forbidden = new ArrayList<>();
        for (int d = union.nextSetBit(0); d >= 0; d = union.nextSetBit(d + 1)) {
            int start = d;
            while (union.get(d + 1)) {
                d++;
            }
            forbidden.add(new Quirk.Forbidden(new ByteRange(start * 4, (d + 1) * 4),
                    "reads non-zero on a device of the pool"));
        }
        if (forbidden.isEmpty()) {
            forbidden.add(new Quirk.Forbidden(new ByteRange(0, 1), "the header (no gap byte is non-zero in the pool)"));
        }
        DeviceMatch match = new DeviceMatch(List.of(identity.vendor()), List.of(identity.device()), List.of(), List.of(),
                List.of(), null, 0xFFFFFF);
        return new Quirk("pool-nonzero-gaps", "non-zero gap bytes across the pool", match, forbidden, List.of(),
                "the pool's " + core.count + " devices", "pool");
    }

    private static VirtualConfigSpace guestView(ConfigSpace cs, Options options) {
        VirtualConfigSpace vcs = VirtualConfigSpace.over(options.hostView().apply(cs));
        options.admission().hiding().apply(vcs);
        return vcs;
    }

    /** The guest view with the capabilities chosen so far placed at their offsets. */
    private static VirtualConfigSpace guestViewWith(ConfigSpace cs, Options options, Map<SyntheticCapability, Integer> chosen) {
        VirtualConfigSpace vcs = guestView(cs, options);
        if (!chosen.isEmpty()) {
            Map<SyntheticCapability, CapabilityDefinition> defs = new LinkedHashMap<>();
            chosen.keySet().forEach(c -> defs.put(c, options.requests().get(c)));
            PlacementEngine.place(vcs, defs, options.placement().withExplicit(chosen));
        }
        return vcs;
    }

    private static ChainKey chainKey(ConfigSpace cs) {
        CapabilityChain chain = CapabilityChain.walk(cs);
        List<Long> caps = new ArrayList<>(chain.standard().size() + chain.extended().size());
        for (Capability c : chain.standard()) {
            caps.add(pack(0, c));
        }
        for (Capability c : chain.extended()) {
            caps.add(pack(1, c));
        }
        return new ChainKey(DeviceIdentity.of(cs), cs.length(), caps);
    }

    private static long pack(int space, Capability c) {
        return (long) space << 60 | (long) (c.version() & 0xF) << 56 | (long) (c.id() & 0xFFFF) << 40
                | (long) (c.length() & 0xFFFF) << 16 | c.offset();
    }

    private static ChainModel model(ChainKey key, DeviceImage first, Options options) {
        VirtualConfigSpace vcs = guestView(first.config(), options);
        List<Integer> gaps = new ArrayList<>();
        for (int d = ConfigSpace.CONVENTIONAL_SIZE / 4; d < vcs.size() / 4; d++) {
            if (vcs.isGap(d * 4) && vcs.isGap(d * 4 + 3)) {
                gaps.add(d);
            }
        }
        return new ChainModel(key, first, vcs.checkedMask(), gaps.stream().mapToInt(Integer::intValue).toArray());
    }

    /** FNV-1a over the checked bits of the image. */
    private static long fingerprint(ConfigSpace cs, byte[] checked) {
        long h = 0xcbf29ce484222325L;
        int n = Math.min(cs.length(), checked.length);
        for (int b = 0; b < n; b++) {
            if (checked[b] != 0) {
                h = (h ^ (b << 8 | cs.u8(b) & checked[b] & 0xFF)) * 0x100000001b3L;
            }
        }
        return h;
    }

    private static BitSet nonZeroGaps(ConfigSpace cs, int[] gapDwords) {
        BitSet out = new BitSet();
        for (int d : gapDwords) {
            if (d * 4 + 4 <= cs.length() && cs.u32(d * 4) != 0) {
                out.set(d);
            }
        }
        return out;
    }
}
