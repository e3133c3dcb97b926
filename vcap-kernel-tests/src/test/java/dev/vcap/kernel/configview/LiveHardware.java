package dev.vcap.kernel.configview;

import dev.vcap.host.ConfigRegion;
import dev.vcap.kernel.SysfsConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hardware under vcap's model of vfio-pci when model and kernel share one real device: reads
 * return what the device holds now (sysfs, bypassing vfio); writes are <em>recorded</em>, not applied
 * — the kernel's own vfio write of the same step already reached the device, and applying the
 * model's too would hide where the two disagree. Within a step a recorded write is visible to the
 * model's later reads (an overlay), as the device would show it, until {@link #beginStep()}.
 *
 * <p>What the model asks of the rest of the kernel ({@code pci_try_reset_function},
 * {@code pci_set_power_state}) is recorded as well: the kernel performed it for real.
 */
final class LiveHardware implements ConfigRegion {

    /** A write the model sent to the device. */
    record Write(int offset, int width, int value) {
    }

    private final SysfsConfig sysfs;
    private final int size;
    private final Map<Integer, Integer> overlay = new HashMap<>();
    private final List<Write> writes = new ArrayList<>();
    private boolean reset;
    private int powerState = -1;

    LiveHardware(SysfsConfig sysfs) {
        this.sysfs = sysfs;
        this.size = sysfs.size();
    }

    /** Forgets the previous step's writes and events. */
    void beginStep() {
        overlay.clear();
        writes.clear();
        reset = false;
        powerState = -1;
    }

    /** The model's writes to the device in this step, in order. */
    List<Write> writes() {
        return List.copyOf(writes);
    }

    /** The byte the model last wrote at {@code offset} in this step, or null. */
    Integer written(int offset) {
        return overlay.get(offset);
    }

    boolean resetInStep() {
        return reset;
    }

    /** The power state the model asked for in this step, or -1. */
    int powerStateInStep() {
        return powerState;
    }

    void noteReset() {
        reset = true;
    }

    void notePowerState(int state) {
        powerState = state;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int read(int offset, int width) {
        ConfigRegion.checkAccess(size, offset, width);
        int v = sysfs.read(offset, width);
        for (int i = 0; i < width; i++) {
            Integer b = overlay.get(offset + i);
            if (b != null) {
                v = v & ~(0xFF << (8 * i)) | b << (8 * i);
            }
        }
        return width == 4 ? v : v & ((1 << (8 * width)) - 1);
    }

    @Override
    public void write(int offset, int width, int value) {
        ConfigRegion.checkAccess(size, offset, width);
        writes.add(new Write(offset, width, value));
        for (int i = 0; i < width; i++) {
            overlay.put(offset + i, value >>> (8 * i) & 0xFF);
        }
    }
}
