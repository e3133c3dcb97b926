package dev.vcap.host;

/**
 * The output of IOMMU_GET_HW_INFO ({@code struct iommu_hw_info}) for one bound device.
 *
 * @param dataType        {@code out_data_type}: the driver's info type (Intel VT-d is 1)
 * @param dataLen         the driver's info length ({@code data_len} on return)
 * @param maxPasidLog2    {@code out_max_pasid_log2}: log2 of the PASIDs the device may use; 0 means
 *                        the device cannot use PASID at all
 * @param capabilities    {@code out_capabilities}: {@link #CAP_DIRTY_TRACKING},
 *                        {@link #CAP_PCI_PASID_EXEC}, {@link #CAP_PCI_PASID_PRIV}
 */
public record HwInfo(int dataType, int dataLen, int maxPasidLog2, long capabilities) {

    /** IOMMU_HW_CAP_DIRTY_TRACKING. */
    public static final long CAP_DIRTY_TRACKING = 1L << 0;
    /** IOMMU_HW_CAP_PCI_PASID_EXEC: Execute-permission PASID requests are enabled (on the PF, for a VF). */
    public static final long CAP_PCI_PASID_EXEC = 1L << 1;
    /** IOMMU_HW_CAP_PCI_PASID_PRIV: Privileged-mode PASID requests are enabled (on the PF, for a VF). */
    public static final long CAP_PCI_PASID_PRIV = 1L << 2;
    /** IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED (Linux 7.3's header; not in 6.15's): ATS cannot be used on the device. */
    public static final long CAP_PCI_ATS_NOT_SUPPORTED = 1L << 3;

    /** IOMMU_HW_INFO_TYPE_NONE. */
    public static final int TYPE_NONE = 0;
    /** IOMMU_HW_INFO_TYPE_INTEL_VTD. */
    public static final int TYPE_INTEL_VTD = 1;

    public boolean pasidSupported() {
        return maxPasidLog2 != 0;
    }

    public boolean has(long capability) {
        return (capabilities & capability) != 0;
    }

    /** The capability bits set, by their header names without {@code IOMMU_HW_CAP_}, lowest bit first. */
    public java.util.List<String> capabilityNames() {
        java.util.List<String> names = new java.util.ArrayList<>();
        String[] known = {"DIRTY_TRACKING", "PCI_PASID_EXEC", "PCI_PASID_PRIV", "PCI_ATS_NOT_SUPPORTED"};
        for (int bit = 0; bit < 64; bit++) {
            if ((capabilities >>> bit & 1) != 0) {
                names.add(bit < known.length ? known[bit] : "bit " + bit);
            }
        }
        return names;
    }
}
