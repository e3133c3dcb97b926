package dev.vcap.host;

import dev.vcap.pci.config.PciAddress;
import java.util.List;

/**
 * A host: the functions vfio-pci owns and the iommufd it offers. The VMM reaches everything
 * through this, so a simulated host and a Linux host are interchangeable.
 */
public interface Host {

    /** Addresses of the functions that can be opened, in address order. */
    List<PciAddress> devices();

    /**
     * Opens the vfio device file of a function.
     *
     * @throws HostException ENODEV when the host has no such function
     */
    VfioDevice openDevice(PciAddress address);

    /** Opens {@code /dev/iommu}. */
    Iommufd openIommufd();
}
