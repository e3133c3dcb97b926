package dev.vcap.pci.analysis;

import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.occupancy.OccupancyMap;

/**
 * A device with its walked chains and its occupancy map: what {@code vcap inspect} reports and
 * what placement starts from.
 */
public record DeviceAnalysis(DeviceImage device, CapabilityChain chain, OccupancyMap occupancy) {

    public static DeviceAnalysis of(DeviceImage device) {
        CapabilityChain chain = CapabilityChain.walk(device.config());
        return new DeviceAnalysis(device, chain, OccupancyMap.of(device.config(), chain));
    }
}
