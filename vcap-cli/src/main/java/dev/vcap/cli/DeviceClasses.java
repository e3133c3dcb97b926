package dev.vcap.cli;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What a command computes from a device's bytes, shared by the devices of one class: devices whose
 * captured config spaces are the same bytes (the same model and firmware, captured in the same
 * state) get one result, computed for the first of them. {@code plan} and {@code survey} plan each
 * class once this way, as {@code pool} builds each chain's guest view once; what depends on the
 * device itself (address, description, source) is not part of the result.
 *
 * <p>The {@link #CAPACITY} classes used last are kept, so memory stays flat over any number of
 * devices. A function read live through vfio is never shared: its view is the kernel's region, with
 * the hardware information its bind returned.
 *
 * @param <V> the result
 */
final class DeviceClasses<V> {

    /** Classes kept: more than the distinct 4 KiB functions of the corpus (116). */
    static final int CAPACITY = 256;

    private final Function<DeviceImage, V> compute;
    private final Map<ConfigSpace, V> classes = new LinkedHashMap<>(CAPACITY * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ConfigSpace, V> eldest) {
            return size() > CAPACITY;
        }
    };
    private int computed;

    DeviceClasses(Function<DeviceImage, V> compute) {
        this.compute = compute;
    }

    /** The result for {@code device}'s class, computed now if no device of the class came before. */
    V of(DeviceImage device) {
        if (LiveViews.isLive(device.config())) {
            computed++;
            return compute.apply(device);
        }
        V v = classes.get(device.config());
        if (v == null) {
            v = compute.apply(device);
            computed++;
            classes.put(device.config().copy(), v);
        }
        return v;
    }

    /** How many results were computed: the classes met, live functions one each. */
    int computed() {
        return computed;
    }
}
