package dev.vcap.cli;

import dev.vcap.host.ConfigRegion;
import dev.vcap.host.sim.SimHost;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;

/**
 * The host's view of a dumped device's config space, as a VMM on Linux 6.15 would read it: through
 * vfio-pci, which hides PASID and every capability newer than its table and virtualizes a VF's IDs.
 */
final class HostViews {

    private static final PciAddress ANY = new PciAddress(0, 1, 0, 0);

    private HostViews() {
    }

    static ConfigRegion of(DeviceImage device) {
        return SimHost.vfioView(device);
    }

    /** For callers that hold only the bytes; the address does not change the view. */
    static ConfigRegion of(ConfigSpace cs) {
        return SimHost.vfioView(new DeviceImage(ANY, "", cs, "dump"));
    }
}
