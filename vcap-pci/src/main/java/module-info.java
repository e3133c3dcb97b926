/**
 * Pure PCI: config-space bytes, dump readers and the writer, the capability catalogue, chain
 * walking, decoded register views and the occupancy map. No policy, no dependency.
 */
module dev.vcap.pci {
    exports dev.vcap.pci.analysis;   // DeviceAnalysis: a device with its chain and occupancy
    exports dev.vcap.pci.capability; // the catalogue, CapabilityChain and its findings
    exports dev.vcap.pci.config;     // ConfigSpace, PciAddress, DeviceImage, ConfigSpaceBuilder
    exports dev.vcap.pci.decode;     // register views, as lspci -vvv names the fields
    exports dev.vcap.pci.dump;       // lspci text and binary dumps, sysfs; the lspci writer
    exports dev.vcap.pci.occupancy;  // OccupancyMap: owners, gaps, non-zero bytes in gaps
}
