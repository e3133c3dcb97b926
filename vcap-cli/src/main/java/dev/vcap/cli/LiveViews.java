package dev.vcap.cli;

import dev.vcap.host.ConfigRegion;
import dev.vcap.host.HwInfo;
import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.host.sim.SimHost;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * vfio-pci's view of a device for the commands that build a guest's config space over it: for a
 * function read live through its vfio config region, those bytes themselves (the kernel already
 * applied vfio's virtualization: applying the model again would be a second, made-up pass); for a dump,
 * the model's view ({@link SimHost#vfioView(DeviceImage)}). Live images are remembered by identity for
 * the life of the process, with the IOMMU_GET_HW_INFO their bind returned.
 */
final class LiveViews {

    /** By the identity of the image's bytes, so that callers holding only the bytes find them too. */
    private static final Map<ConfigSpace, HwInfo> LIVE = new IdentityHashMap<>();

    private LiveViews() {
    }

    /** Records {@code image} as read through vfio, with its hardware info (null when the legacy API read it). */
    static synchronized DeviceImage vfio(DeviceImage image, HwInfo hwInfo) {
        LIVE.put(image.config(), hwInfo);
        return image;
    }

    /** The view a VMM builds on: the real region's bytes for a live vfio read, else the model's view. */
    static ConfigRegion of(DeviceImage image) {
        return isLive(image.config()) ? new InMemoryConfigRegion(image.config()) : SimHost.vfioView(image);
    }

    /** As {@link #of(DeviceImage)}, for bytes alone. */
    static ConfigRegion of(ConfigSpace config) {
        return isLive(config) ? new InMemoryConfigRegion(config) : SimHost.vfioView(config);
    }

    /** Whether {@code config} was read live through vfio. */
    static synchronized boolean isLive(ConfigSpace config) {
        return LIVE.containsKey(config);
    }

    /** IOMMU_GET_HW_INFO of a live vfio read through the cdev, else null. */
    static synchronized HwInfo hwInfo(DeviceImage image) {
        return LIVE.get(image.config());
    }
}
