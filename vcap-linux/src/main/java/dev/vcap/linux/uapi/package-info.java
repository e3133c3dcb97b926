/**
 * The vfio and iommufd uAPI as the real kernel takes it: ioctl numbers derived as the headers derive
 * them ({@link dev.vcap.linux.uapi.VfioIoctls}, {@link dev.vcap.linux.uapi.IommufdIoctls}) and one
 * {@link java.lang.foreign.StructLayout} per structure the Linux host passes, at the sizes and
 * offsets of {@code include/uapi/linux/vfio.h} and {@code include/uapi/linux/iommufd.h} of Linux 7.3
 * (Debian's linux-source-7.3 7.3.4). Tests pin every number, size and offset to the values gcc
 * printed from those headers.
 *
 * <p>The four structures the simulated host also decodes ({@code iommu_hw_info},
 * {@code iommu_hwpt_alloc}, {@code vfio_device_attach_iommufd_pt},
 * {@code vfio_device_detach_iommufd_pt}) are not repeated here: the Linux host encodes and reads them
 * with {@link dev.vcap.host.uapi}'s codecs, so model and kernel see the same bytes.
 */
package dev.vcap.linux.uapi;
