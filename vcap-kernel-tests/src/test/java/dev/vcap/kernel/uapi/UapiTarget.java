package dev.vcap.kernel.uapi;

import java.lang.foreign.MemorySegment;

/**
 * One side of the uAPI differential: a device file and an iommufd, driven at the byte level. Every
 * call returns 0 or a new object ID on success and {@code -errno} on failure; outputs land in the
 * caller's buffer as the kernel writes them.
 */
interface UapiTarget extends AutoCloseable {

    /** VFIO_DEVICE_BIND_IOMMUFD without a token: the dev_id, or -errno. */
    int bind();

    /** IOMMU_IOAS_ALLOC: the IOAS ID, or -errno. */
    int ioasAlloc();

    /** IOMMU_HWPT_ALLOC on {@code struct iommu_hwpt_alloc} bytes. */
    int hwptAlloc(MemorySegment arg);

    /** VFIO_DEVICE_ATTACH_IOMMUFD_PT on {@code struct vfio_device_attach_iommufd_pt} bytes. */
    int attach(MemorySegment arg);

    /** VFIO_DEVICE_DETACH_IOMMUFD_PT. */
    int detach(MemorySegment arg);

    /** IOMMU_DESTROY. */
    int destroy(int id);

    /** Closes the device file alone: vfio detaches every PASID, then the RID, and unbinds. */
    void closeDevice();

    /** Closes the device file (vfio detaches everything and unbinds), then the iommufd. */
    @Override
    void close();
}
