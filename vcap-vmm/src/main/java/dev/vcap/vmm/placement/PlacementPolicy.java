package dev.vcap.vmm.placement;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Hex;
import dev.vcap.pci.occupancy.ByteRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One link of the placement chain. Each policy places a capability with a reason, declines with a
 * reason (the next policy is asked), refuses (a hard error), or withholds it (not exposed). The
 * chain, in order: {@link ExplicitOffset}, {@link Layout}, {@link FreeRanges}, {@link QuirkPreferred},
 * {@link VfMirror}, {@link DvsecHint}, {@link GapSearch}.
 */
public sealed interface PlacementPolicy {

    /** The name used in decision records: {@code explicit-offset}, {@code gap-search}, ... */
    String name();

    PolicyResult consider(PlacementContext ctx, SyntheticCapability capability);

    /** vcap's chain, in order. */
    static List<PlacementPolicy> chain() {
        return List.of(new ExplicitOffset(), new Layout(), new FreeRanges(), new QuirkPreferred(), new VfMirror(),
                new DvsecHint(), new GapSearch());
    }

    /** First fit at or above each range's start, every 4 bytes; candidates turned down are recorded. */
    private static Optional<Integer> firstFit(PlacementContext ctx, List<ByteRange> ranges, int length,
            Candidates candidates) {
        for (ByteRange r : ranges) {
            int start = r.start() + 3 & ~3;
            if (start + length > r.end()) {
                candidates.note(String.format("%s is too small for %d bytes", r, length));
                continue;
            }
            for (int off = start; off + length <= r.end(); off += 4) {
                Optional<String> conflict = ctx.conflict(off, length);
                if (conflict.isEmpty()) {
                    return Optional.of(off);
                }
                candidates.reject(off, conflict.get());
            }
        }
        return Optional.empty();
    }

    /** The user's explicit offset: validated and used, or refused — never replaced by another. */
    record ExplicitOffset() implements PlacementPolicy {
        @Override
        public String name() {
            return "explicit-offset";
        }

        @Override
        public PolicyResult consider(PlacementContext ctx, SyntheticCapability c) {
            Integer offset = ctx.options().explicit().get(c);
            if (offset == null) {
                return PolicyResult.declined(name(), "no offset given for " + c);
            }
            Optional<String> conflict = ctx.conflict(offset, c.length());
            if (conflict.isPresent()) {
                return new PolicyResult(name(), new Outcome.Refused(String.format(
                        "the offset given for %s, 0x%03x, cannot be used: %s", c, offset, conflict.get())), List.of());
            }
            return new PolicyResult(name(), new Outcome.Placed(offset, String.format("the offset given for %s", c)),
                    List.of());
        }
    }

    /** The operator's layout file: its offset for the capability, or the capability withheld. */
    record Layout() implements PlacementPolicy {
        @Override
        public String name() {
            return "layout-file";
        }

        @Override
        public PolicyResult consider(PlacementContext ctx, SyntheticCapability c) {
            LayoutFile layout = ctx.options().layout();
            if (layout == null) {
                return PolicyResult.declined(name(), "no layout file given");
            }
            if (!layout.match().matches(ctx.identity())) {
                return PolicyResult.declined(name(), "layout '" + layout.name() + "' does not describe " + ctx.identity());
            }
            Optional<LayoutFile.Entry> entry = layout.synthesized(c);
            if (entry.isEmpty()) {
                return new PolicyResult(name(), new Outcome.Withheld("layout '" + layout.name() + "' does not expose "
                        + c), List.of());
            }
            int offset = entry.get().offset();
            Optional<String> conflict = ctx.conflict(offset, c.length());
            if (conflict.isPresent()) {
                return new PolicyResult(name(), new Outcome.Refused(String.format("layout '%s' (%s:%d) puts %s at 0x%03x,"
                        + " which cannot be used: %s", layout.name(), layout.origin(), entry.get().line(), c, offset,
                        conflict.get())), List.of());
            }
            return new PolicyResult(name(), new Outcome.Placed(offset, String.format("layout '%s' (%s:%d)", layout.name(),
                    layout.origin(), entry.get().line())), List.of());
        }
    }

    /** Declared free ranges: the first fit inside them. */
    record FreeRanges() implements PlacementPolicy {
        @Override
        public String name() {
            return "free-ranges";
        }

        @Override
        public PolicyResult consider(PlacementContext ctx, SyntheticCapability c) {
            List<ByteRange> ranges = ctx.options().free();
            if (ranges.isEmpty()) {
                return PolicyResult.declined(name(), "no free ranges declared");
            }
            Candidates candidates = new Candidates(name());
            Optional<Integer> fit = firstFit(ctx, ranges, c.length(), candidates);
            return fit.map(off -> new PolicyResult(name(), new Outcome.Placed(off, "first fit in the declared free ranges "
                    + ranges), candidates.done()))
                    .orElseGet(() -> new PolicyResult(name(), new Outcome.Declined("no room left in the declared free ranges "
                            + ranges), candidates.done()));
        }
    }

    /** Offsets a matching quirk entry prefers. */
    record QuirkPreferred() implements PlacementPolicy {
        @Override
        public String name() {
            return "quirk-table";
        }

        @Override
        public PolicyResult consider(PlacementContext ctx, SyntheticCapability c) {
            Candidates candidates = new Candidates(name());
            boolean any = false;
            for (Quirk q : ctx.quirks()) {
                for (Quirk.Preferred p : q.preferred()) {
                    if (!p.appliesTo(c)) {
                        continue;
                    }
                    any = true;
                    Optional<String> conflict = ctx.conflict(p.offset(), c.length());
                    if (conflict.isEmpty()) {
                        return new PolicyResult(name(), new Outcome.Placed(p.offset(), String.format(
                                "preferred by quirk '%s' (%s)", q.id(), p.reason())), candidates.done());
                    }
                    candidates.reject(p.offset(), "preferred by quirk '" + q.id() + "' but " + conflict.get());
                }
            }
            String why = any ? "no preferred offset fits" : ctx.quirks().isEmpty() ? "no quirk entry matches "
                    + ctx.identity() : "no matching quirk entry prefers an offset for " + c;
            return new PolicyResult(name(), new Outcome.Declined(why), candidates.done());
        }
    }

    /** A VF's virtual capability at the offset its PF uses for the physical one. */
    record VfMirror() implements PlacementPolicy {
        @Override
        public String name() {
            return "vf-mirror";
        }

        @Override
        public PolicyResult consider(PlacementContext ctx, SyntheticCapability c) {
            ConfigSpace pf = ctx.options().pf();
            if (pf == null) {
                return PolicyResult.declined(name(), "no PF given (the device is not placed as a VF)");
            }
            Optional<Capability> physical = CapabilityChain.walk(pf).find(c.kind());
            if (physical.isEmpty()) {
                return PolicyResult.declined(name(), "the PF has no " + c + " capability to mirror");
            }
            int offset = physical.get().offset();
            Optional<String> conflict = ctx.conflict(offset, c.length());
            if (conflict.isPresent()) {
                return new PolicyResult(name(), new Outcome.Declined(String.format("the PF's offset 0x%03x is not free on"
                        + " the VF", offset)), List.of(new Rejection(name(), offset, offset, conflict.get())));
            }
            return new PolicyResult(name(), new Outcome.Placed(offset, String.format("the PF has its %s at 0x%03x", c,
                    offset)), List.of());
        }
    }

    /** The free ranges the device's experimental free-space DVSEC declares. */
    record DvsecHint() implements PlacementPolicy {
        @Override
        public String name() {
            return "dvsec-hint";
        }

        @Override
        public PolicyResult consider(PlacementContext ctx, SyntheticCapability c) {
            ConfigSpace image = ctx.guestImage();
            Optional<List<ByteRange>> ranges = FreeSpaceDvsec.find(image, CapabilityChain.walk(image));
            if (ranges.isEmpty()) {
                return PolicyResult.declined(name(), "the device has no free-space DVSEC");
            }
            Candidates candidates = new Candidates(name());
            Optional<Integer> fit = firstFit(ctx, ranges.get(), c.length(), candidates);
            return fit.map(off -> new PolicyResult(name(), new Outcome.Placed(off, "first fit in the ranges the device's"
                    + " free-space DVSEC declares " + ranges.get()), candidates.done()))
                    .orElseGet(() -> new PolicyResult(name(), new Outcome.Declined("no room in the ranges the DVSEC declares "
                            + ranges.get()), candidates.done()));
        }
    }

    /**
     * The scored search of extended space (docs/PLACEMENT.md §4): every dword-aligned offset where
     * the structure fits outside every capability's architected length and every forbidden range,
     * over bytes that all read zero; the highest score wins, the higher offset on a tie.
     *
     * <pre>
     * score = 4 x clearance      clearance: free bytes between the structure and the nearest byte of
     *                            unknown purpose (a gap byte of the guest's view that reads non-zero —
     *                            a register hidden in a gap, the body of a capability vfio hid — or a
     *                            byte a matching quirk forbids), counted up to 256
     *       + 200 if the structure ends at the last byte of config space (QEMU's 0xff8 for PASID)
     *       + 100 if it starts after the last capability, + 1 per 16 bytes past it (at most 64)
     * </pre>
     *
     * Clearance dominates: 4 points a byte, so the tail and after-the-last bonuses together are
     * worth 91 bytes of it. Bytes of known structures (capabilities, hidden or placed) are not of
     * unknown purpose: a synthesized capability may sit flush against one.
     */
    record GapSearch() implements PlacementPolicy {
        static final int CLEARANCE_WEIGHT = 4;
        static final int CLEARANCE_CAP = 256;
        static final int TAIL = 200;
        static final int AFTER_LAST = 100;
        static final int DISTANCE_STEP = 16;
        static final int DISTANCE_CAP = 64;

        @Override
        public String name() {
            return "gap-search";
        }

        @Override
        public PolicyResult consider(PlacementContext ctx, SyntheticCapability c) {
            if (!ctx.options().gapSearch()) {
                return PolicyResult.declined(name(), "gap search turned off");
            }
            Scoring scoring = new Scoring(ctx.vcs().size(), ctx.endOfLastCapability(), ctx.unknownBytes());
            Scan scan = Scan.of(ctx, c.length(), scoring);
            Candidates candidates = new Candidates(name());
            for (int i = 0; i < scan.runs; i++) {
                // the message once a run: the same cause, the same message but for the offset
                candidates.reject(scan.runFrom[i], ctx.conflict(scan.runFrom[i], c.length()).orElseThrow());
                candidates.extendThrough(scan.runThrough[i]);
            }
            if (scan.fits == 0) {
                return new PolicyResult(name(), new Outcome.Declined("no free, zero-reading " + c.length()
                        + "-byte gap in extended space"), candidates.done());
            }
            int best = scan.best();
            // the others in runs of one score at consecutive offsets, the best one apart: a message per run
            for (int i = best == 0 ? 1 : 0; i < scan.fits; ) {
                int last = scan.runEnd(i, best);
                candidates.reject(scan.fitAt[i], "score " + scan.score[i] + " below the best, " + scan.score[best]);
                candidates.extendThrough(scan.fitAt[last]);
                i = last + 1 == best ? last + 2 : last + 1;
            }
            int at = scan.fitAt[best];
            return new PolicyResult(name(), new Outcome.Placed(at, "highest-scoring gap (score " + scan.score[best] + ": "
                    + scoring.explain(at, c.length()) + ")"), candidates.done());
        }

        /**
         * The candidate dword offsets in ascending order: those that fit, with their scores, and
         * the runs of consecutive offsets refused for one cause. The messages are left to the
         * caller, which builds one per run. Every loop that visits each offset is a small method
         * here: such a loop runs for every offset of every device class, and the JIT compiles it
         * with the method around it, where the messages' code made a compilation of half a second.
         */
        static final class Scan {
            final int[] fitAt;
            final int[] score;
            int fits;
            final int[] runFrom;
            final int[] runThrough;
            int runs;

            private Scan(int candidates) {
                fitAt = new int[candidates];
                score = new int[candidates];
                runFrom = new int[candidates];
                runThrough = new int[candidates];
            }

            static Scan of(PlacementContext ctx, int length, Scoring scoring) {
                Scan scan = new Scan(Math.max(0, (scoring.size() - length - ConfigSpace.CONVENTIONAL_SIZE) / 4 + 1));
                Object lastCause = null;
                for (int off = ConfigSpace.CONVENTIONAL_SIZE; off + length <= scoring.size(); off += 4) {
                    Object cause = ctx.conflictCause(off, length);
                    if (cause == null) {
                        scan.fitAt[scan.fits] = off;
                        scan.score[scan.fits++] = scoring.score(off, length);
                    } else {
                        if (cause != lastCause) { // else the offset before was refused for it: its run goes on
                            scan.runFrom[scan.runs++] = off;
                        }
                        off = ctx.causeHoldsThrough(off, length, cause);
                        scan.runThrough[scan.runs - 1] = off;
                    }
                    lastCause = cause;
                }
                return scan;
            }

            /** The fit with the highest score; of equal scores, the one at the highest offset. */
            int best() {
                int best = 0;
                for (int i = 1; i < fits; i++) {
                    if (score[i] >= score[best]) {
                        best = i;
                    }
                }
                return best;
            }

            /**
             * The last fit of the run that starts at fit {@code i}: fits at consecutive offsets with
             * {@code i}'s score, ending before fit {@code best}.
             */
            int runEnd(int i, int best) {
                int last = i;
                while (last + 1 < fits && last + 1 != best && score[last + 1] == score[i]
                        && fitAt[last + 1] == fitAt[last] + 4) {
                    last++;
                }
                return last;
            }
        }

        /**
         * The score's terms for one device as it stands.
         *
         * @param size    config space size
         * @param lastEnd the first byte after every extended capability
         * @param unknown the bytes of unknown purpose in extended space, ascending
         */
        record Scoring(int size, int lastEnd, int[] unknown) {

            int score(int off, int length) {
                return CLEARANCE_WEIGHT * clearance(off, length) + tail(off, length) + afterLast(off);
            }

            /** Bytes between [off, off + length) and the nearest byte of unknown purpose, capped. */
            int clearance(int off, int length) {
                int i = java.util.Arrays.binarySearch(unknown, off);
                int above = i >= 0 ? i : -i - 1; // first unknown byte at or above off
                int clear = CLEARANCE_CAP;
                if (above < unknown.length) {
                    clear = Math.min(clear, Math.max(0, unknown[above] - (off + length)));
                }
                if (above > 0) {
                    clear = Math.min(clear, off - 1 - unknown[above - 1]);
                }
                return clear;
            }

            int tail(int off, int length) {
                return off + length == size ? TAIL : 0;
            }

            int afterLast(int off) {
                return off >= lastEnd ? AFTER_LAST + Math.min((off - lastEnd) / DISTANCE_STEP, DISTANCE_CAP) : 0;
            }

            String explain(int off, int length) {
                List<String> parts = new ArrayList<>();
                int clear = clearance(off, length);
                // concatenated, not formatted: java.util.Formatter's first use loads locale data
                parts.add(unknown.length == 0 ? "no byte of unknown purpose in extended space +" + CLEARANCE_WEIGHT * clear
                        : (clear == CLEARANCE_CAP ? "at least " : "") + clear + " bytes clear of the nearest byte of"
                                + " unknown purpose +" + CLEARANCE_WEIGHT * clear);
                if (tail(off, length) > 0) {
                    parts.add("tail +" + TAIL);
                }
                if (afterLast(off) > 0) {
                    parts.add("after the last capability (0x" + Hex.padded(lastEnd, 3) + ") +" + afterLast(off));
                }
                parts.add("all bytes read zero");
                return String.join(", ", parts);
            }
        }
    }
}
