package dev.vcap.linux;

import dev.vcap.host.Host;
import dev.vcap.host.Rule;
import dev.vcap.linux.sysfs.PciFunction;
import dev.vcap.linux.sysfs.PciSysfs;
import dev.vcap.pci.config.PciAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The machine vcap runs on: its PCI functions from sysfs, the ones vfio-pci owns opened through
 * their vfio device files ({@code /dev/vfio/devices/vfioN}), and {@code /dev/iommu}. Roots are
 * parameters so that tests run over a sysfs tree built in a temporary directory.
 */
public final class LinuxHost implements Host {

    private final PciSysfs sysfs;
    private final Path sys;
    private final Path dev;

    /** The running system: {@code /sys} and {@code /dev}. */
    public LinuxHost() {
        this(PciSysfs.SYS, Path.of("/dev"));
    }

    public LinuxHost(Path sysRoot, Path devRoot) {
        this.sysfs = new PciSysfs(sysRoot);
        this.sys = sysRoot;
        this.dev = devRoot;
    }

    /** Every PCI function sysfs lists, in address order. */
    public List<PciFunction> functions() {
        return sysfs.functions();
    }

    /** The functions vfio-pci (or a vfio-pci variant driver) owns, in address order. */
    public List<PciFunction> vfioFunctions() {
        return functions().stream().filter(PciFunction::vfioOwned).toList();
    }

    /** One function, if sysfs has it. */
    public Optional<PciFunction> function(PciAddress address) {
        return sysfs.function(address);
    }

    @Override
    public List<PciAddress> devices() {
        return vfioFunctions().stream().map(PciFunction::address).toList();
    }

    /**
     * Opens the function's vfio cdev.
     *
     * @throws dev.vcap.host.HostException ENODEV ({@link Rule#NO_SUCH_DEVICE}) when sysfs has no such
     *         function, vfio-pci does not own it, or the kernel made no vfio device file for it (no
     *         vfio cdev: {@link #openLegacy}); the kernel's errno when opening the file fails
     */
    @Override
    public LinuxVfioDevice openDevice(PciAddress address) {
        PciFunction f = vfioFunction(address);
        String path = f.vfioDevicePath(dev.toString()).orElseThrow(() -> Rule.NO_SUCH_DEVICE.fail(address
                + ": vfio-pci owns it but there is no vfio-dev/vfioN in sysfs: this kernel has no vfio device"
                + " cdev (CONFIG_VFIO_DEVICE_CDEV); the legacy group API can still read its config space"));
        return LinuxVfioDevice.open(address, path);
    }

    /**
     * Opens the function through the legacy group and container API.
     *
     * @throws dev.vcap.host.HostException ENODEV as {@link #openDevice} (and when the function has no
     *         IOMMU group); the kernel's errno when the group refuses
     */
    public LegacyVfio openLegacy(PciAddress address) {
        PciFunction f = vfioFunction(address);
        if (f.iommuGroup() < 0) {
            throw Rule.NO_SUCH_DEVICE.fail(address + ": no IOMMU group (no iommu_group link in sysfs)");
        }
        return LegacyVfio.open(address, f.iommuGroup(), dev.toString());
    }

    /** Opens {@code /dev/iommu}: ENOENT when the kernel has no iommufd, EACCES without permission. */
    @Override
    public LinuxIommufd openIommufd() {
        return LinuxIommufd.open(iommuPath().toString());
    }

    /** {@code /dev/iommu} under this host's device root. */
    public Path iommuPath() {
        return dev.resolve("iommu");
    }

    /** True when this kernel has the vfio cdev ({@code /dev/vfio/devices}, made by CONFIG_VFIO_DEVICE_CDEV). */
    public boolean hasVfioCdev() {
        return Files.isDirectory(dev.resolve("vfio/devices"));
    }

    /** True when this kernel has the legacy vfio container ({@code /dev/vfio/vfio}, CONFIG_VFIO_GROUP). */
    public boolean hasVfioContainer() {
        return Files.exists(dev.resolve("vfio/vfio"));
    }

    /** The sysfs root ({@code /sys}). */
    public Path sysRoot() {
        return sys;
    }

    /** The device root ({@code /dev}). */
    public Path devRoot() {
        return dev;
    }

    private PciFunction vfioFunction(PciAddress address) {
        PciFunction f = sysfs.function(address).orElseThrow(() -> Rule.NO_SUCH_DEVICE.fail(address
                + ": no such PCI function (" + sysfs.devicesDir().resolve(address.toString()) + ")"));
        if (!f.vfioOwned()) {
            throw Rule.NO_SUCH_DEVICE.fail(address + ": vfio-pci does not own it (driver: "
                    + (f.driver() == null ? "none" : f.driver()) + "); vcap opens only functions bound to vfio-pci");
        }
        return f;
    }
}
