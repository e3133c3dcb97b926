package dev.vcap.kernel.configview;

import dev.vcap.host.ConfigRegion;
import dev.vcap.host.vfio.VfioPciConfig;
import dev.vcap.kernel.SysfsConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.IntUnaryOperator;

/**
 * Runs the same operations on one real device through the kernel's vfio config region and through
 * vcap's model of it ({@link VfioPciConfig} over {@link LiveHardware}), and records every place they
 * disagree:
 *
 * <ul>
 *   <li>the <b>views</b>: both regions read dword by dword; the model's hardware reads are the
 *       device's current bytes, so a difference is vfio's virtualization, not the device;</li>
 *   <li>what <b>reached the device</b>: the model's recorded writes against what the kernel's write
 *       changed on the device (sysfs before and after). A byte the model wrote that the device does
 *       not show is replayed through sysfs: if the device takes it, the kernel did not forward it (a
 *       difference); if the device ignores it, the bits are read-only in the device and nothing can
 *       tell the two apart. Steps in which vfio reset the function or changed its power state are
 *       compared by views only: the device changes as a whole there.</li>
 * </ul>
 *
 * The model writes first, then the kernel: both start from the same device state.
 */
final class ConfigViewDiff {

    private final ConfigRegion kernel;
    private final VfioPciConfig model;
    private final LiveHardware hw;
    private final SysfsConfig sysfs;
    private final IntUnaryOperator replayable;
    private final List<KnownDifference> known;
    private final List<ViewDifference> unexplained = new ArrayList<>();
    private final Map<KnownDifference, Integer> explained = new LinkedHashMap<>();
    private int steps;
    private int resets;
    private int replays;

    /**
     * @param replayable for a byte, the bits that may be replayed through sysfs (none of the BARs',
     *                   the ROM's, nor Initiate FLR): a difference in other bits is judged from the
     *                   device's bytes alone
     */
    ConfigViewDiff(ConfigRegion kernel, VfioPciConfig model, LiveHardware hw, SysfsConfig sysfs,
            IntUnaryOperator replayable, List<KnownDifference> known) {
        this.kernel = kernel;
        this.model = model;
        this.hw = hw;
        this.sysfs = sysfs;
        this.replayable = replayable;
        this.known = known;
    }

    int size() {
        return kernel.size();
    }

    /** Compares the whole views. */
    void compareAll(String step) {
        compareViews(step, 0, size());
    }

    /**
     * One write through both; compares what reached the device and the views of the dwords touched
     * (all of them when {@code full}, or when vfio reset the function).
     */
    void write(String step, int offset, int width, int value, boolean full) {
        steps++;
        hw.beginStep();
        int lo = offset & ~3;
        int hi = Math.min(size(), (offset + width + 3) & ~3);
        model.write(offset, width, value);
        TreeSet<Integer> dwords = new TreeSet<>();
        for (int p = lo; p < hi; p += 4) {
            dwords.add(p);
        }
        for (LiveHardware.Write w : hw.writes()) {
            for (int p = w.offset() & ~3; p < w.offset() + w.width(); p += 4) {
                dwords.add(p);
            }
        }
        Map<Integer, Integer> before = new LinkedHashMap<>();
        for (int p : dwords) {
            before.put(p, sysfs.read(p, 4));
        }
        kernel.write(offset, width, value);
        boolean whole = hw.resetInStep() || hw.powerStateInStep() >= 0;
        if (hw.resetInStep()) {
            resets++;
        }
        if (!whole) {
            for (int p : dwords) {
                compareDevice(step, p, before.get(p), sysfs.read(p, 4));
            }
        }
        hw.beginStep();
        if (full || whole) {
            compareAll(step);
        } else {
            compareViews(step, lo, hi);
        }
    }

    /** An operation only the kernel has (VFIO_DEVICE_SET_IRQS): the views must still agree after it. */
    void kernelOnly(String step, Runnable op) {
        steps++;
        op.run();
        compareAll(step);
    }

    private void compareViews(String step, int lo, int hi) {
        for (int p = lo; p < hi; p += 4) {
            int k = kernel.read(p, 4);
            int m = model.read(p, 4);
            if (k != m) {
                record(new ViewDifference(ViewDifference.Kind.VIEW, step, p, k, m, k ^ m));
            }
        }
    }

    /** One dword of the device: the kernel's write changed {@code before} into {@code after}. */
    private void compareDevice(String step, int p, int before, int after) {
        for (int i = 0; i < 4; i++) {
            int at = p + i;
            int b = before >>> (8 * i) & 0xFF;
            int a = after >>> (8 * i) & 0xFF;
            Integer wrote = hw.written(at);
            if (wrote == null) {
                if (a != b) {
                    record(new ViewDifference(ViewDifference.Kind.KERNEL_FORWARDED, step, at, a, b, a ^ b));
                }
                continue;
            }
            int differs = (wrote ^ a) & 0xFF;
            if (differs == 0) {
                continue;
            }
            int safe = differs & replayable.applyAsInt(at);
            // bits that cannot be asked: the model's write counts when it moved them away from before
            int takes = differs & ~safe & (wrote ^ b);
            if (safe != 0) {
                replays++;
                sysfs.write(at, 1, a & ~safe | wrote & safe);
                takes |= ~(sysfs.read(at, 1) ^ wrote) & safe;
            }
            if (takes != 0) {
                record(new ViewDifference(ViewDifference.Kind.MODEL_FORWARDED, step, at, a, wrote, takes));
            }
        }
    }

    private void record(ViewDifference d) {
        for (KnownDifference k : known) {
            if (k.matches().test(d)) {
                explained.merge(k, 1, Integer::sum);
                return;
            }
        }
        unexplained.add(d);
    }

    List<ViewDifference> unexplained() {
        return List.copyOf(unexplained);
    }

    Map<KnownDifference, Integer> explained() {
        return Map.copyOf(explained);
    }

    int steps() {
        return steps;
    }

    int resets() {
        return resets;
    }

    int replays() {
        return replays;
    }
}
