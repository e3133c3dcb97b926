package dev.vcap.linux.sysfs;

import dev.vcap.pci.config.PciAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What sysfs says about one PCI function ({@code /sys/bus/pci/devices/ADDRESS}).
 *
 * @param address        the function
 * @param vendor         {@code vendor}: the vendor ID the PCI core reports (for a VF, the PF's)
 * @param device         {@code device}: the device ID the PCI core reports (for a VF, SR-IOV's VF Device ID)
 * @param subsystemVendor {@code subsystem_vendor}
 * @param subsystemDevice {@code subsystem_device}
 * @param classCode      {@code class}: base, sub-class and programming interface (24 bits)
 * @param driver         the bound driver's name ({@code driver} link), or null when none is bound
 * @param driverOverride {@code driver_override}, or null when it is unset ("(null)")
 * @param iommuGroup     the IOMMU group number ({@code iommu_group} link), or -1 without an IOMMU
 * @param vfioDevice     the vfio device file's name ({@code vfio-dev/vfioN}), or null when vfio has
 *                       not created one (not bound to vfio, or a kernel without the vfio cdev)
 * @param physfn         the PF when this function is a VF ({@code physfn} link), else null
 * @param virtfns        the VFs when this is a PF with VFs enabled ({@code virtfnN} links), in VF order
 * @param totalVfs       {@code sriov_totalvfs}, or 0 when the function has no SR-IOV
 * @param numVfs         {@code sriov_numvfs}, or 0
 */
public record PciFunction(PciAddress address, int vendor, int device, int subsystemVendor, int subsystemDevice,
        int classCode, String driver, String driverOverride, int iommuGroup, String vfioDevice, PciAddress physfn,
        List<PciAddress> virtfns, int totalVfs, int numVfs) {

    public PciFunction {
        virtfns = List.copyOf(virtfns);
    }

    /**
     * True when vfio-pci owns it: {@code vfio-pci} itself or a vendor variant built on vfio-pci-core
     * ({@code mlx5_vfio_pci}, {@code hisi_acc_vfio_pci}, ...).
     */
    public boolean vfioOwned() {
        return driver != null && (driver.equals("vfio-pci") || driver.endsWith("_vfio_pci"));
    }

    /** True for an SR-IOV virtual function. */
    public boolean isVf() {
        return physfn != null;
    }

    /** True for a function with an SR-IOV capability (sriov_totalvfs present). */
    public boolean isPf() {
        return totalVfs > 0;
    }

    /** {@code PF}, {@code VF} or {@code function}. */
    public String role() {
        return isVf() ? "VF" : isPf() ? "PF" : "function";
    }

    /** {@code 8086:10d3}. */
    public String ids() {
        return String.format(Locale.ROOT, "%04x:%04x", vendor, device);
    }

    /** The vfio device file, e.g. {@code /dev/vfio/devices/vfio0}, under {@code devRoot}. */
    public Optional<String> vfioDevicePath(String devRoot) {
        return Optional.ofNullable(vfioDevice).map(n -> devRoot + "/vfio/devices/" + n);
    }
}
