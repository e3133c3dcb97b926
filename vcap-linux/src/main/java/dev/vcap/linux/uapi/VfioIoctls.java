package dev.vcap.linux.uapi;

import dev.vcap.linux.sys.Ioctl;

/**
 * vfio's ioctl numbers and constants ({@code include/uapi/linux/vfio.h}, Linux 7.3). Every request
 * is {@code _IO(VFIO_TYPE, VFIO_BASE + n)}: the structure's size travels in its {@code argsz}.
 */
public final class VfioIoctls {

    /** {@code VFIO_TYPE}: {@code ';'}. */
    public static final int TYPE = ';';
    /** {@code VFIO_BASE}. */
    public static final int BASE = 100;

    // ---- container (/dev/vfio/vfio)
    public static final Ioctl GET_API_VERSION = vfio("VFIO_GET_API_VERSION", 0);
    public static final Ioctl CHECK_EXTENSION = vfio("VFIO_CHECK_EXTENSION", 1);
    public static final Ioctl SET_IOMMU = vfio("VFIO_SET_IOMMU", 2);
    // ---- group (/dev/vfio/N)
    public static final Ioctl GROUP_GET_STATUS = vfio("VFIO_GROUP_GET_STATUS", 3);
    public static final Ioctl GROUP_SET_CONTAINER = vfio("VFIO_GROUP_SET_CONTAINER", 4);
    public static final Ioctl GROUP_UNSET_CONTAINER = vfio("VFIO_GROUP_UNSET_CONTAINER", 5);
    public static final Ioctl GROUP_GET_DEVICE_FD = vfio("VFIO_GROUP_GET_DEVICE_FD", 6);
    // ---- device
    public static final Ioctl DEVICE_GET_INFO = vfio("VFIO_DEVICE_GET_INFO", 7);
    public static final Ioctl DEVICE_GET_REGION_INFO = vfio("VFIO_DEVICE_GET_REGION_INFO", 8);
    public static final Ioctl DEVICE_GET_IRQ_INFO = vfio("VFIO_DEVICE_GET_IRQ_INFO", 9);
    public static final Ioctl DEVICE_SET_IRQS = vfio("VFIO_DEVICE_SET_IRQS", 10);
    public static final Ioctl DEVICE_RESET = vfio("VFIO_DEVICE_RESET", 11);
    public static final Ioctl DEVICE_FEATURE = vfio("VFIO_DEVICE_FEATURE", 17);
    // ---- device, cdev only (drivers/vfio/device_cdev.c)
    public static final Ioctl DEVICE_BIND_IOMMUFD = vfio("VFIO_DEVICE_BIND_IOMMUFD", 18);
    public static final Ioctl DEVICE_ATTACH_IOMMUFD_PT = vfio("VFIO_DEVICE_ATTACH_IOMMUFD_PT", 19);
    public static final Ioctl DEVICE_DETACH_IOMMUFD_PT = vfio("VFIO_DEVICE_DETACH_IOMMUFD_PT", 20);

    /** {@code VFIO_API_VERSION}: what VFIO_GET_API_VERSION returns. */
    public static final int API_VERSION = 0;
    /** {@code VFIO_TYPE1v2_IOMMU}: the container IOMMU model on x86 and arm64. */
    public static final int TYPE1V2_IOMMU = 3;

    /** {@code VFIO_GROUP_FLAGS_VIABLE}: every device of the group is bound to a vfio driver (or none). */
    public static final int GROUP_FLAGS_VIABLE = 1 << 0;
    /** {@code VFIO_GROUP_FLAGS_CONTAINER_SET}. */
    public static final int GROUP_FLAGS_CONTAINER_SET = 1 << 1;

    /** {@code VFIO_DEVICE_FLAGS_RESET}: VFIO_DEVICE_RESET is supported. */
    public static final int DEVICE_FLAGS_RESET = 1 << 0;
    /** {@code VFIO_DEVICE_FLAGS_PCI}: a vfio-pci device. */
    public static final int DEVICE_FLAGS_PCI = 1 << 1;

    /** {@code VFIO_REGION_INFO_FLAG_READ}. */
    public static final int REGION_INFO_FLAG_READ = 1 << 0;
    /** {@code VFIO_REGION_INFO_FLAG_WRITE}. */
    public static final int REGION_INFO_FLAG_WRITE = 1 << 1;

    /** {@code VFIO_PCI_CONFIG_REGION_INDEX}: BAR0..5 are 0..5, the ROM 6. */
    public static final int PCI_CONFIG_REGION_INDEX = 7;
    /** {@code VFIO_PCI_INTX_IRQ_INDEX}. */
    public static final int PCI_INTX_IRQ_INDEX = 0;
    /** {@code VFIO_PCI_MSI_IRQ_INDEX}. */
    public static final int PCI_MSI_IRQ_INDEX = 1;
    /** {@code VFIO_PCI_MSIX_IRQ_INDEX}. */
    public static final int PCI_MSIX_IRQ_INDEX = 2;

    /** {@code VFIO_IRQ_INFO_EVENTFD}. */
    public static final int IRQ_INFO_EVENTFD = 1 << 0;
    /** {@code VFIO_IRQ_SET_DATA_NONE}. */
    public static final int IRQ_SET_DATA_NONE = 1 << 0;
    /** {@code VFIO_IRQ_SET_DATA_BOOL}. */
    public static final int IRQ_SET_DATA_BOOL = 1 << 1;
    /** {@code VFIO_IRQ_SET_DATA_EVENTFD}. */
    public static final int IRQ_SET_DATA_EVENTFD = 1 << 2;
    /** {@code VFIO_IRQ_SET_ACTION_MASK}. */
    public static final int IRQ_SET_ACTION_MASK = 1 << 3;
    /** {@code VFIO_IRQ_SET_ACTION_UNMASK}. */
    public static final int IRQ_SET_ACTION_UNMASK = 1 << 4;
    /** {@code VFIO_IRQ_SET_ACTION_TRIGGER}. */
    public static final int IRQ_SET_ACTION_TRIGGER = 1 << 5;

    /** {@code VFIO_DEVICE_BIND_FLAG_TOKEN} (in 7.3, not in 6.12): {@code token_uuid_ptr} carries the VF token. */
    public static final int BIND_FLAG_TOKEN = 1 << 0;

    private VfioIoctls() {
    }

    private static Ioctl vfio(String name, int n) {
        return Ioctl.io(name, TYPE, BASE + n);
    }
}
