package dev.vcap.vmm.placement;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.occupancy.ByteRange;
import java.util.List;
import java.util.Map;

/**
 * The inputs of the policy chain beyond the device itself.
 *
 * @param explicit   offsets the user gave per capability (validated, never silently replaced)
 * @param layout     an operator's layout file, or null
 * @param free       declared free ranges (the operator's, for every virtual capability)
 * @param quirks     the quirk tables (shipped plus operator files)
 * @param pf         the PF's physical config space when the device is one of its VFs, or null
 * @param gapSearch  whether the automatic gap search may place
 * @param compat     vcap's chain, or QEMU 11.0's behaviour for comparison
 */
public record PlacementOptions(Map<SyntheticCapability, Integer> explicit, LayoutFile layout, List<ByteRange> free,
        QuirkTable quirks, ConfigSpace pf, boolean gapSearch, Compat compat) {

    /** Which placement behaviour to follow. */
    public enum Compat {
        /** vcap's ordered policy chain. */
        VCAP,
        /**
         * QEMU 11.0, predicted faults included ({@link QemuVpasid}): vPASID only, at 0xff8 or the
         * given offset, inserted as {@code pcie_insert_capability()} inserts it.
         */
        QEMU
    }

    public PlacementOptions {
        explicit = Map.copyOf(explicit);
        free = List.copyOf(free);
    }

    /** The defaults: shipped quirks, gap search on, vcap's chain. */
    public static PlacementOptions defaults() {
        return new PlacementOptions(Map.of(), null, List.of(), QuirkTable.shipped(), null, true, Compat.VCAP);
    }

    public PlacementOptions withExplicit(Map<SyntheticCapability, Integer> offsets) {
        return new PlacementOptions(offsets, layout, free, quirks, pf, gapSearch, compat);
    }

    public PlacementOptions withLayout(LayoutFile file) {
        return new PlacementOptions(explicit, file, free, quirks, pf, gapSearch, compat);
    }

    public PlacementOptions withFree(List<ByteRange> ranges) {
        return new PlacementOptions(explicit, layout, ranges, quirks, pf, gapSearch, compat);
    }

    public PlacementOptions withQuirks(QuirkTable table) {
        return new PlacementOptions(explicit, layout, free, table, pf, gapSearch, compat);
    }

    public PlacementOptions withPf(ConfigSpace pfConfig) {
        return new PlacementOptions(explicit, layout, free, quirks, pfConfig, gapSearch, compat);
    }

    public PlacementOptions withGapSearch(boolean on) {
        return new PlacementOptions(explicit, layout, free, quirks, pf, on, compat);
    }

    public PlacementOptions withCompat(Compat mode) {
        return new PlacementOptions(explicit, layout, free, quirks, pf, gapSearch, mode);
    }
}
