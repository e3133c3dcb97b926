package dev.vcap.cli;

import dev.vcap.pci.analysis.DeviceAnalysis;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.occupancy.OccupancyMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws config space as a text grid, one character per byte, 64 bytes per row:
 * {@code #} header, a letter per capability (legend below the grid), {@code .} a gap byte that
 * reads zero, {@code !} a gap byte that does not (a possible hidden register), blank for bytes not
 * captured.
 */
final class ConfigMapRenderer {

    private static final int PER_ROW = 64;
    private static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private ConfigMapRenderer() {
    }

    static List<String> render(DeviceAnalysis a) {
        OccupancyMap map = a.occupancy();
        ConfigSpace cs = a.device().config();
        Map<Capability, Character> letters = new LinkedHashMap<>();
        for (Capability c : a.chain().all().toList()) {
            letters.putIfAbsent(c, LETTERS.charAt(letters.size() % LETTERS.length()));
        }
        int rows = (Math.max(cs.length(), ConfigSpace.CONVENTIONAL_SIZE) + PER_ROW - 1) / PER_ROW;
        List<String> out = new ArrayList<>();
        out.add("       +00             +10             +20             +30");
        for (int r = 0; r < rows; r++) {
            StringBuilder sb = new StringBuilder(String.format("  %03x  ", r * PER_ROW));
            for (int i = 0; i < PER_ROW; i++) {
                int off = r * PER_ROW + i;
                sb.append(cell(map, cs, letters, off));
            }
            out.add(sb.toString().stripTrailing());
        }
        out.add("  legend: # header, . gap (zero), ! gap (non-zero), blank not captured");
        letters.forEach((c, ch) -> out.add(String.format("    %c %-8s 0x%03x-0x%03x %s", ch, c.space().label(),
                c.offset(), c.end() - 1, c.name())));
        return out;
    }

    private static char cell(OccupancyMap map, ConfigSpace cs, Map<Capability, Character> letters, int off) {
        return switch (map.ownerAt(off)) {
            case OccupancyMap.Owner.HeaderOwner h -> '#';
            case OccupancyMap.Owner.CapabilityOwner c -> letters.get(c.capability());
            case OccupancyMap.Owner.Gap g -> cs.u8(off) == 0 ? '.' : '!';
            case OccupancyMap.Owner.Outside o -> ' ';
        };
    }
}
