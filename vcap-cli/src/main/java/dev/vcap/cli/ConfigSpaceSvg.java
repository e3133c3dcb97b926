package dev.vcap.cli;

import static dev.vcap.cli.Svg.esc;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.occupancy.ByteRange;
import dev.vcap.vmm.config.Origin;
import dev.vcap.vmm.placement.Quirk;
import java.util.ArrayList;
import java.util.List;

/**
 * A picture of one device's guest-visible config space: 64 bytes a row, every byte a cell coloured
 * by what owns it — the header, each visible capability (synthesized ones in green with a heavy
 * outline), hidden capabilities (grey, hatched), gaps (white) and non-zero bytes in gaps (orange)
 * — with quirk-forbidden ranges outlined in red. Each region is listed in the legend beside it.
 */
final class ConfigSpaceSvg {

    static final int COLS = 64;
    static final int CELL_W = 14;
    static final int CELL_H = 14;
    static final int LEFT = 40;
    static final int TOP = 24;

    static final String HEADER = "#90a4ae";
    static final String SYNTHESIZED = "#43a047";
    static final String HIDDEN = "url(#hidden)";
    static final String NON_ZERO = "#ff9800";
    static final String GAP = "#ffffff";
    /** Colours for physical capabilities, in chain order. */
    static final String[] PALETTE = {"#1e88e5", "#8e24aa", "#00897b", "#f4511e", "#3949ab", "#c0ca33", "#6d4c41",
        "#d81b60", "#00acc1", "#5e35b1", "#7cb342", "#fb8c00", "#546e7a", "#ad1457"};

    /** One region of the legend. */
    record Region(String colour, String label, String what, int start, int end) {
    }

    private ConfigSpaceSvg() {
    }

    /** The SVG of a device plan and the legend's regions (both in offset order of first byte). */
    static String render(DevicePlan p, List<Region> legend) {
        ConfigSpace guest = p.guestImage();
        int size = guest.length();
        String[] fill = new String[size];
        String[] label = new String[size];
        String[] title = new String[size];
        boolean[] synthesized = new boolean[size];
        for (int b = 0; b < ConfigSpace.HEADER_SIZE && b < size; b++) {
            fill[b] = HEADER;
            title[b] = "header 0x00-0x3f";
        }
        label[0] = "header";
        legend.add(new Region(HEADER, "header", "type " + (guest.u8(0x0E) & 0x7F) + " header", 0, ConfigSpace.HEADER_SIZE));
        for (DevicePlan.Hidden h : p.hidden()) {
            int end = Math.min(h.offset() + Math.max(h.length(), 4), size);
            String t = String.format("hidden %s@0x%03x by %s: %s", h.name(), h.offset(), h.by(), h.reason());
            for (int b = h.offset(); b < end; b++) {
                fill[b] = HIDDEN;
                title[b] = t;
                label[b] = null;
            }
            label[h.offset()] = abbreviation(h.space(), h.id());
            legend.add(new Region(HIDDEN, abbreviation(h.space(), h.id()), t, h.offset(), end));
        }
        int colour = 0;
        for (Capability c : p.guestChain().all().toList()) {
            Origin origin = p.originOf(c);
            boolean synth = origin == Origin.SYNTHESIZED;
            String col = synth ? SYNTHESIZED : PALETTE[colour++ % PALETTE.length];
            int end = Math.min(c.end(), size);
            String t = String.format("%s@0x%03x, %d bytes, %s", c.name(), c.offset(), c.length(), origin.label());
            for (int b = c.offset(); b < end; b++) {
                fill[b] = col;
                title[b] = t;
                label[b] = null;
                synthesized[b] = synth;
            }
            label[c.offset()] = abbreviation(c.space(), c.id());
            legend.add(new Region(col, abbreviation(c.space(), c.id()), t, c.offset(), end));
        }
        for (int b = 0; b < size; b++) {
            if (fill[b] == null) {
                if (guest.u8(b) != 0) {
                    fill[b] = NON_ZERO;
                    title[b] = String.format("non-zero byte 0x%02x at 0x%03x in a gap (a hidden register?)", guest.u8(b), b);
                } else {
                    fill[b] = GAP;
                    title[b] = "gap";
                }
            }
        }
        for (int b = 0; b < size; b++) {
            if (fill[b] == NON_ZERO) {
                int e = b;
                while (e < size && fill[e] == NON_ZERO) {
                    e++;
                }
                legend.add(new Region(NON_ZERO, "non-zero", "non-zero bytes in a gap: " + java.util.HexFormat
                        .ofDelimiter(" ").formatHex(guest.slice(b, e - b)), b, e));
                b = e;
            }
        }
        List<ByteRange> forbidden = new ArrayList<>();
        for (Quirk q : p.quirks()) {
            for (Quirk.Forbidden f : q.forbidden()) {
                forbidden.add(f.range());
                legend.add(new Region("forbidden", "forbidden", String.format("%s forbidden by quirk '%s': %s", f.range(),
                        q.id(), f.reason()), f.range().start(), f.range().end()));
            }
        }
        legend.sort(java.util.Comparator.comparingInt(Region::start));

        int rows = (size + COLS - 1) / COLS;
        int width = LEFT + COLS * CELL_W + 2;
        int height = TOP + rows * CELL_H + 4;
        StringBuilder s = new StringBuilder();
        s.append(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " %s font-size=\"9\" role=\"img\" aria-label=\"config space of %s\">%n", width, height, width, height,
                Svg.FONT, esc(p.device().address().toString())));
        s.append("<defs><pattern id=\"hidden\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\""
                + " patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#e0e0e0\"/>"
                + "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9e9e9e\" stroke-width=\"3\"/></pattern>"
                + "<pattern id=\"forbidden\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\""
                + " patternTransform=\"rotate(-45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#d32f2f\""
                + " stroke-width=\"1.5\"/></pattern></defs>\n");
        for (int col = 0; col < COLS; col += 16) {
            s.append(String.format("<text x=\"%d\" y=\"%d\" fill=\"#555\">+%02x</text>%n", LEFT + col * CELL_W + 1, TOP - 6,
                    col));
        }
        for (int row = 0; row < rows; row++) {
            int y = TOP + row * CELL_H;
            s.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#555\">%03x</text>%n", LEFT - 4,
                    y + 10, row * COLS));
            int b = row * COLS;
            int rowEnd = Math.min(b + COLS, size);
            while (b < rowEnd) {
                int e = b + 1;
                while (e < rowEnd && fill[e].equals(fill[b]) && title[e].equals(title[b]) && label[e] == null) {
                    e++;
                }
                int x = LEFT + (b - row * COLS) * CELL_W;
                int w = (e - b) * CELL_W;
                s.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"%s\""
                        + " stroke-width=\"%s\"><title>%s</title></rect>%n", x, y, w, CELL_H, fill[b],
                        synthesized[b] ? "#1b5e20" : "#bdbdbd", synthesized[b] ? "2" : "0.5", esc(title[b])));
                if (label[b] != null) {
                    int room = w / 6;
                    String text = label[b].length() <= room ? label[b] : room >= 2 ? label[b].substring(0, room) : "";
                    if (!text.isEmpty()) {
                        boolean dark = !fill[b].equals(GAP) && !fill[b].equals(HIDDEN) && !fill[b].equals(NON_ZERO);
                        s.append(String.format("<text x=\"%d\" y=\"%d\" fill=\"%s\" font-weight=\"bold\">%s</text>%n",
                                x + 2, y + 10, dark ? "#fff" : "#212121", esc(text)));
                    }
                }
                b = e;
            }
        }
        for (ByteRange f : forbidden) {
            for (int b = f.start(); b < Math.min(f.end(), size);) {
                int row = b / COLS;
                int e = Math.min(f.end(), Math.min(size, (row + 1) * COLS));
                s.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"url(#forbidden)\""
                        + " stroke=\"#d32f2f\" stroke-width=\"1.5\"><title>%s</title></rect>%n",
                        LEFT + (b - row * COLS) * CELL_W, TOP + row * CELL_H, (e - b) * CELL_W, CELL_H,
                        esc("forbidden by a quirk: " + f)));
                b = e;
            }
        }
        s.append("</svg>\n");
        return s.toString();
    }

    static String abbreviation(CapabilitySpace space, int id) {
        if (space == CapabilitySpace.EXTENDED && id == 0) {
            return "Null";
        }
        return CapabilityKind.lookup(space, id).map(CapabilityKind::abbreviation)
                .orElse(String.format(space == CapabilitySpace.STANDARD ? "#%02x" : "#%04x", id));
    }
}
