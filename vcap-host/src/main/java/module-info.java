/**
 * The host contract shaped after the iommufd/vfio uAPI ({@code Host}, {@code VfioDevice},
 * {@code Iommufd}), the uAPI structure codecs, vfio-pci's config view and the simulated host.
 */
module dev.vcap.host {
    requires transitive dev.vcap.pci; // regions and devices are read as ConfigSpace, named by PciAddress

    exports dev.vcap.host;      // Host, VfioDevice, Iommufd, ConfigRegion, HostException and errnos
    exports dev.vcap.host.sim;  // SimHost: PF/VF, an IOMMU with Linux's PASID rules, iommufd objects
    exports dev.vcap.host.uapi; // the uAPI structures both hosts encode: another backend uses them too
    exports dev.vcap.host.vfio; // vfio-pci's config view: what a VMM sees of a device
}
