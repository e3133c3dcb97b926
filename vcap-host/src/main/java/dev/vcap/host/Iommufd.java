package dev.vcap.host;

/**
 * An open {@code /dev/iommu}: a context holding IOAS, HWPT, fault-queue and device objects, each
 * named by a small integer ID. Shaped after {@code include/uapi/linux/iommufd.h}; every failure is a
 * {@link HostException} with the errno Linux 6.15 returns.
 *
 * <p>Devices join a context through {@link VfioDevice#bind(Iommufd)}, which returns their
 * {@code dev_id}. Implementations are thread-safe.
 */
public interface Iommufd extends AutoCloseable {

    /** IOMMU_IOAS_ALLOC: a new, empty I/O address space; returns its ID. */
    int allocIoas();

    /**
     * IOMMU_HWPT_ALLOC: a paging HWPT on an IOAS, or a nested HWPT on a nest-parent HWPT.
     *
     * @return {@code out_hwpt_id}
     * @throws HostException EOPNOTSUPP for reserved bits, unknown flags, FAULT_ID_VALID with
     *                       NEST_PARENT or a feature the IOMMU lacks; EINVAL for a data mismatch, a
     *                       bad {@code pt_id} or a parent that is not a nest parent; ENOENT for an
     *                       unknown {@code dev_id} or {@code fault_id}
     */
    int allocHwpt(HwptAlloc request);

    /** IOMMU_FAULT_QUEUE_ALLOC: a fault queue for fault-capable HWPTs; returns its ID. */
    int allocFaultQueue();

    /**
     * IOMMU_GET_HW_INFO for a bound device.
     *
     * @throws HostException ENOENT when {@code devId} is not a device of this context
     */
    HwInfo getHwInfo(int devId);

    /**
     * IOMMU_DESTROY.
     *
     * @throws HostException ENOENT for an unknown ID; EBUSY while the object is in use
     */
    void destroy(int id);

    /** Closes the context. Devices still bound keep it alive until they unbind. */
    @Override
    void close();
}
