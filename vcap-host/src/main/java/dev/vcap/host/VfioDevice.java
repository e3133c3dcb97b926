package dev.vcap.host;

import dev.vcap.pci.config.PciAddress;

/**
 * An open vfio device file ({@code /dev/vfio/devices/vfioN}) of a PCI function, used through
 * iommufd: bind it to an {@link Iommufd}, then attach its RID and its PASIDs to IOAS or HWPT objects.
 * Shaped after {@code include/uapi/linux/vfio.h} (Linux 6.15); every failure is a
 * {@link HostException} carrying the errno the kernel returns.
 *
 * <p>Attach, replace and detach are linearizable per (device, PASID); implementations are
 * thread-safe.
 */
public interface VfioDevice extends AutoCloseable {

    /** The function behind this file. */
    PciAddress address();

    /**
     * The config region (VFIO_PCI_CONFIG_REGION_INDEX) as vfio-pci shows it: virtualized IDs on a
     * VF, hidden capabilities unlinked, writes filtered by vfio's permission tables.
     */
    ConfigRegion config();

    /**
     * VFIO_DEVICE_BIND_IOMMUFD.
     *
     * @return the device's {@code dev_id} in that context
     * @throws HostException EINVAL when already bound
     */
    int bind(Iommufd iommufd);

    /** True when the driver implements PASID attach/detach (the PASID flag would not be EOPNOTSUPP). */
    boolean pasidOpsSupported();

    /**
     * True when the kernel knows VFIO_DEVICE_ATTACH_PASID / DETACH_PASID (Linux 6.15 and later).
     * Before, the PASID flag is an unknown flag: EINVAL, like any other, not EOPNOTSUPP.
     */
    default boolean pasidFlagKnown() {
        return true;
    }

    /**
     * VFIO_DEVICE_ATTACH_IOMMUFD_PT without a PASID: attach the RID to an IOAS (an automatic domain
     * is found or made) or a HWPT. When the RID is already attached this is a replace.
     *
     * @return the HWPT now attached ({@code pt_id} on return)
     */
    int attachPt(int ptId);

    /**
     * VFIO_DEVICE_ATTACH_IOMMUFD_PT with VFIO_DEVICE_ATTACH_PASID. Attaching an attached PASID is a
     * replace; replacing with the same HWPT is a no-op; a failed replace keeps the old HWPT.
     *
     * PASID 0 is IOMMU_NO_PASID: it attaches the RID (see docs/HOST.md).
     *
     * @return the HWPT now attached
     * @throws HostException EINVAL for a PASID beyond the width of a device that can use PASID, a
     *                       domain that is not PASID-compatible (an IOAS's automatic domain among
     *                       them), a fault-capable HWPT on a VF whose PF has PRI; ENOSPC above
     *                       INT_MAX; EOPNOTSUPP without PASID ops; ENOENT for an unknown {@code ptId}
     */
    int attachPasidPt(int pasid, int ptId);

    /** VFIO_DEVICE_DETACH_IOMMUFD_PT without a PASID; detaching a detached RID succeeds silently. */
    void detachPt();

    /** VFIO_DEVICE_DETACH_IOMMUFD_PT with VFIO_DEVICE_DETACH_PASID; a PASID that is not attached is a no-op. */
    void detachPasidPt(int pasid);

    /** VFIO_DEVICE_RESET: a function-level reset with the PCI core's save and restore around it. */
    void reset();

    /**
     * Unbinds: detaches every PASID, then the RID, then leaves the iommufd context (what closing
     * the device file does). Idempotent.
     */
    @Override
    void close();
}
