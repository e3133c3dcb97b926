package dev.vcap.vfiouser.server;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.decode.MsixView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The BAR regions a served device offers, decided from its config space alone — a dump records a
 * BAR's address and type but not its size (sizing writes all ones to the live register):
 *
 * <ol>
 * <li>a BAR exists when its register is non-zero, when the MSI-X capability puts its table or PBA
 * in it, or when an explicit size is given for it; the upper half of a 64-bit BAR is no region;</li>
 * <li>its size is the explicit one if given; otherwise the larger of what MSI-X needs in it (table
 * and PBA ends, rounded up to a power of two) and {@link #DEFAULT_MEMORY} (4 KiB) for memory,
 * {@link #DEFAULT_IO} for I/O — but never above the alignment of the address the dump shows, since a
 * BAR is aligned to its size (unless MSI-X needs more, which wins);</li>
 * <li>the expansion ROM is not served (size 0): QEMU then gives the guest no ROM.</li>
 * </ol>
 *
 * @param bars the six BAR slots; a slot without a region has size 0
 */
public record BarLayout(List<Bar> bars) {

    public static final long DEFAULT_MEMORY = 4096;
    public static final long DEFAULT_IO = 256;
    public static final int SLOTS = 6;

    /** One BAR slot: its index, size (0 = no region), kind and why that size. */
    public record Bar(int index, long size, boolean io, boolean is64, String why) {
        public boolean present() {
            return size > 0;
        }
    }

    public BarLayout {
        bars = List.copyOf(bars);
    }

    public Bar bar(int index) {
        return bars.get(index);
    }

    /** Decides the BARs of a type-0 function; other header types get none. */
    public static BarLayout of(ConfigSpace cs, Map<Integer, Long> explicit) {
        long[] msixNeed = msixNeeds(cs);
        List<Bar> out = new ArrayList<>();
        boolean normal = Header.type(cs) == Header.TYPE_NORMAL;
        for (int i = 0; i < SLOTS; i++) {
            int reg = normal ? cs.u32(Header.BAR0 + 4 * i) : 0;
            boolean io = (reg & 1) != 0;
            boolean is64 = !io && (reg >>> 1 & 3) == 2;
            long address = io ? reg & ~3L & 0xFFFF_FFFFL : reg & ~0xFL & 0xFFFF_FFFFL;
            if (is64 && i + 1 < SLOTS) {
                address |= (long) cs.u32(Header.BAR0 + 4 * (i + 1)) << 32;
            }
            Long given = explicit.get(i);
            Bar bar;
            if (given != null) {
                bar = new Bar(i, given, io, is64, "given (--bar-size)");
            } else if (!normal || (reg == 0 && msixNeed[i] == 0)) {
                bar = new Bar(i, 0, false, false, reg == 0 ? "the register reads 0" : "not a type-0 function");
            } else {
                long base = io ? DEFAULT_IO : DEFAULT_MEMORY;
                long alignment = address == 0 ? Long.MAX_VALUE : Long.lowestOneBit(address);
                long size = Math.min(base, alignment);
                String why = size == base ? "default " + base : "the address's alignment";
                if (msixNeed[i] > size) {
                    size = msixNeed[i];
                    why = "what MSI-X needs";
                }
                bar = new Bar(i, size, io, is64, why);
            }
            out.add(bar);
            if (is64) {
                i++;
                if (i < SLOTS) {
                    out.add(new Bar(i, 0, false, false, "upper half of BAR" + (i - 1)));
                }
            }
        }
        return new BarLayout(out);
    }

    /** Per BAR, the power of two that holds the MSI-X table and PBA placed in it, else 0. */
    private static long[] msixNeeds(ConfigSpace cs) {
        long[] need = new long[SLOTS];
        CapabilityChain chain = CapabilityChain.walk(cs);
        for (Capability c : chain.standard()) {
            if (!c.is(StandardCapability.MSIX) || !cs.captured(c.offset(), MsixView.LENGTH)) {
                continue;
            }
            int entries = (cs.u16(c.offset() + MsixView.MESSAGE_CONTROL) & MsixView.TABLE_SIZE_MASK) + 1;
            int table = cs.u32(c.offset() + MsixView.TABLE);
            int pba = cs.u32(c.offset() + MsixView.PBA);
            need(need, table & MsixView.BIR_MASK, (table & MsixView.OFFSET_MASK & 0xFFFF_FFFFL) + 16L * entries);
            need(need, pba & MsixView.BIR_MASK, (pba & MsixView.OFFSET_MASK & 0xFFFF_FFFFL) + 8L * ((entries + 63) / 64));
            break;
        }
        return need;
    }

    private static void need(long[] need, int bir, long end) {
        if (bir < SLOTS) {
            long size = Long.highestOneBit(Math.max(end, 1) - 1) << 1;
            need[bir] = Math.max(need[bir], Math.max(size, DEFAULT_MEMORY));
        }
    }
}
