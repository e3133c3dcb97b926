package dev.vcap.vfiouser.server;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.decode.MsixView;
import dev.vcap.vmm.config.ConfigAccessException;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.config.VmmEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The device a vfio-user server serves: the guest-visible config space (a {@link VirtualConfigSpace},
 * replaceable while the guest runs — a migration in place), BAR regions backed by sparse memory
 * (pages appear on first write; unwritten bytes read 0), and the interrupt counts the config space
 * advertises (no interrupt is ever raised).
 *
 * <p>Every access to the config region goes through the {@link VirtualConfigSpace}, cut into
 * naturally aligned pieces of at most 4 bytes, so the guest meets its masks and write policy. The
 * {@link VmmEvent}s it raises are reported; Function Level Reset also resets the served registers,
 * as {@code PasidBinder} does for an assigned device.
 */
public final class ServedDevice {

    /** vfio-pci region indexes (VFIO_PCI_*_REGION_INDEX). */
    public static final int ROM_REGION = 6;
    public static final int CONFIG_REGION = 7;
    public static final int VGA_REGION = 8;
    public static final int REGIONS = 9;
    /** vfio-pci interrupt indexes (VFIO_PCI_*_IRQ_INDEX). */
    public static final int INTX = 0;
    public static final int MSI = 1;
    public static final int MSIX = 2;
    public static final int ERR = 3;
    public static final int REQ = 4;
    public static final int IRQ_TYPES = 5;
    private static final int PAGE = 4096;

    private final AtomicReference<VirtualConfigSpace> config = new AtomicReference<>();
    private final BarLayout bars;
    private final Consumer<ServerEvent> events;
    private final List<Map<Long, byte[]>> memory = new ArrayList<>();
    private final int[] irqCounts;

    public ServedDevice(VirtualConfigSpace vcs, BarLayout bars, Consumer<ServerEvent> events) {
        this.bars = bars;
        this.events = events;
        for (int i = 0; i < BarLayout.SLOTS; i++) {
            memory.add(new HashMap<>());
        }
        this.irqCounts = irqCounts(vcs.guestImage());
        attach(vcs);
    }

    /** The config space the guest sees now. */
    public VirtualConfigSpace config() {
        return config.get();
    }

    public BarLayout bars() {
        return bars;
    }

    /** Serves another config space from now on (a migration in place); the old one gets no more accesses. */
    public void replace(VirtualConfigSpace next) {
        attach(next);
    }

    private void attach(VirtualConfigSpace vcs) {
        vcs.addListener(e -> {
            if (config.get() != vcs) {
                return;
            }
            events.accept(new ServerEvent.Vmm(e));
            if (e instanceof VmmEvent.FunctionLevelReset) {
                vcs.resetServed();
                events.accept(new ServerEvent.Reset("FLR"));
            }
        });
        config.set(vcs);
    }

    /** Size of a region in bytes (0: the region does not exist). */
    public long regionSize(int index) {
        if (index == CONFIG_REGION) {
            return config.get().size();
        }
        return index >= 0 && index < BarLayout.SLOTS ? bars.bar(index).size() : 0;
    }

    /** Interrupts of one type the device advertises: INTx when its pin is set, MSI and MSI-X vectors. */
    public int irqCount(int index) {
        return index >= 0 && index < IRQ_TYPES ? irqCounts[index] : 0;
    }

    /** VFIO_USER_DEVICE_RESET: served registers back to reset values. */
    public void reset() {
        config.get().resetServed();
        events.accept(new ServerEvent.Reset("DEVICE_RESET"));
    }

    /**
     * Reads {@code count} bytes of a region at {@code offset}; the caller checked the bounds.
     *
     * @throws ConfigAccessException if the config space refuses an access
     */
    public byte[] read(int region, long offset, int count) {
        byte[] out = new byte[count];
        if (region == CONFIG_REGION) {
            VirtualConfigSpace vcs = config.get();
            for (Piece p : pieces((int) offset, count)) {
                int v = vcs.read(p.offset, p.width);
                for (int i = 0; i < p.width; i++) {
                    out[p.offset - (int) offset + i] = (byte) (v >>> (8 * i));
                }
            }
            return out;
        }
        synchronized (memory.get(region)) {
            for (int i = 0; i < count; i++) {
                byte[] page = memory.get(region).get((offset + i) / PAGE);
                out[i] = page == null ? 0 : page[(int) ((offset + i) % PAGE)];
            }
        }
        return out;
    }

    /** Writes {@code data} into a region at {@code offset}; the caller checked the bounds. */
    public void write(int region, long offset, byte[] data) {
        if (region == CONFIG_REGION) {
            VirtualConfigSpace vcs = config.get();
            for (Piece p : pieces((int) offset, data.length)) {
                int v = 0;
                for (int i = 0; i < p.width; i++) {
                    v |= (data[p.offset - (int) offset + i] & 0xFF) << (8 * i);
                }
                events.accept(new ServerEvent.ConfigWrite(p.offset, p.width, v));
                vcs.write(p.offset, p.width, v);
            }
            return;
        }
        synchronized (memory.get(region)) {
            for (int i = 0; i < data.length; i++) {
                memory.get(region).computeIfAbsent((offset + i) / PAGE, k -> new byte[PAGE])[(int) ((offset + i) % PAGE)] =
                        data[i];
            }
        }
    }

    private record Piece(int offset, int width) {
    }

    /** Naturally aligned pieces of 4, 2 or 1 bytes covering {@code [offset, offset + count)}. */
    private static Iterable<Piece> pieces(int offset, int count) {
        List<Piece> out = new ArrayList<>();
        int pos = offset;
        int end = offset + count;
        while (pos < end) {
            int w = (pos & 3) == 0 && end - pos >= 4 ? 4 : (pos & 1) == 0 && end - pos >= 2 ? 2 : 1;
            out.add(new Piece(pos, w));
            pos += w;
        }
        return out;
    }

    private static int[] irqCounts(ConfigSpace cs) {
        int[] counts = new int[IRQ_TYPES];
        counts[INTX] = cs.u8(Header.INTERRUPT_PIN) != 0 ? 1 : 0;
        for (Capability c : CapabilityChain.walk(cs).standard()) {
            if (c.is(StandardCapability.MSI) && counts[MSI] == 0) {
                counts[MSI] = 1 << (cs.u16(c.offset() + 2) >>> 1 & 7);
            } else if (c.is(StandardCapability.MSIX) && counts[MSIX] == 0) {
                counts[MSIX] = (cs.u16(c.offset() + MsixView.MESSAGE_CONTROL) & MsixView.TABLE_SIZE_MASK) + 1;
            }
        }
        return counts;
    }
}
