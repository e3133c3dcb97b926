package dev.vcap.linux;

import dev.vcap.host.HostException;
import dev.vcap.host.HwInfo;
import dev.vcap.host.Rule;
import dev.vcap.linux.sysfs.PciFunction;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.SysfsReader;
import java.nio.file.Files;
import java.util.Locale;

/**
 * Reads a live function's config space the way a VMM would see it: a function vfio-pci owns through
 * its vfio config region (the cdev bound to iommufd, with IOMMU_GET_HW_INFO; or, on a kernel without
 * them, the legacy group API), any other function from sysfs ({@code config}, the PCI core's view).
 */
public final class LiveDevices {

    /** Where the bytes came from. */
    public enum Via {
        /** The vfio config region of the cdev, bound to iommufd. */
        VFIO_CDEV,
        /** The vfio config region through the legacy group and container. */
        VFIO_GROUP,
        /** sysfs {@code config}: not a vfio function. */
        SYSFS
    }

    /**
     * A function read live.
     *
     * @param image    address, description, bytes and origin (e.g. {@code vfio /dev/vfio/devices/vfio0})
     * @param function what sysfs says about it
     * @param via      the path the bytes took
     * @param hwInfo   IOMMU_GET_HW_INFO, when read through the cdev; else null
     */
    public record LiveDevice(DeviceImage image, PciFunction function, Via via, HwInfo hwInfo) {
    }

    private final LinuxHost host;

    public LiveDevices(LinuxHost host) {
        this.host = host;
    }

    /**
     * Reads one function.
     *
     * @throws HostException ENODEV ({@link Rule#NO_SUCH_DEVICE}) when sysfs has no such function; the
     *                       kernel's errno when vfio refuses (EBUSY: a VM owns the group, EACCES: no
     *                       permission or a VF token is needed)
     */
    public LiveDevice read(PciAddress address) {
        PciFunction f = host.function(address).orElseThrow(() -> Rule.NO_SUCH_DEVICE.fail(address
                + ": no such PCI function on this machine"));
        if (!f.vfioOwned()) {
            DeviceImage d = new SysfsReader(host.sysRoot().resolve("bus/pci/devices")).read(address);
            return new LiveDevice(d, f, Via.SYSFS, null);
        }
        if (f.vfioDevice() != null && Files.exists(host.iommuPath())) {
            try (LinuxIommufd fd = host.openIommufd(); LinuxVfioDevice dev = host.openDevice(address)) {
                int devId = dev.bind(fd);
                HwInfo info = fd.getHwInfo(devId);
                return new LiveDevice(image(f, dev.readConfig(), "vfio " + dev.file()), f, Via.VFIO_CDEV, info);
            }
        }
        try (LegacyVfio legacy = host.openLegacy(address)) {
            return new LiveDevice(image(f, legacy.device().readConfig(), "vfio group " + f.iommuGroup()), f,
                    Via.VFIO_GROUP, null);
        }
    }

    private static DeviceImage image(PciFunction f, ConfigSpace cs, String origin) {
        String description = String.format(Locale.ROOT, "Class %06x: Device %s driver %s", f.classCode(), f.ids(),
                f.driver());
        return new DeviceImage(f.address(), description, cs, origin);
    }
}
