package dev.vcap.linux.uapi;

import dev.vcap.linux.sys.Ioctl;

/**
 * iommufd's ioctl numbers ({@code include/uapi/linux/iommufd.h}, Linux 7.3): each is
 * {@code _IO(IOMMUFD_TYPE, IOMMUFD_CMD_*)}, the structure's size in its leading {@code size}.
 */
public final class IommufdIoctls {

    /** {@code IOMMUFD_TYPE}: {@code ';'}, the same type byte as vfio, commands from 0x80. */
    public static final int TYPE = ';';

    public static final int CMD_BASE = 0x80;
    public static final int CMD_DESTROY = CMD_BASE;
    public static final int CMD_IOAS_ALLOC = 0x81;
    public static final int CMD_IOAS_MAP = 0x85;
    public static final int CMD_IOAS_UNMAP = 0x86;
    public static final int CMD_HWPT_ALLOC = 0x89;
    public static final int CMD_GET_HW_INFO = 0x8a;
    public static final int CMD_FAULT_QUEUE_ALLOC = 0x8e;

    public static final Ioctl DESTROY = Ioctl.io("IOMMU_DESTROY", TYPE, CMD_DESTROY);
    public static final Ioctl IOAS_ALLOC = Ioctl.io("IOMMU_IOAS_ALLOC", TYPE, CMD_IOAS_ALLOC);
    public static final Ioctl IOAS_MAP = Ioctl.io("IOMMU_IOAS_MAP", TYPE, CMD_IOAS_MAP);
    public static final Ioctl IOAS_UNMAP = Ioctl.io("IOMMU_IOAS_UNMAP", TYPE, CMD_IOAS_UNMAP);
    public static final Ioctl HWPT_ALLOC = Ioctl.io("IOMMU_HWPT_ALLOC", TYPE, CMD_HWPT_ALLOC);
    public static final Ioctl GET_HW_INFO = Ioctl.io("IOMMU_GET_HW_INFO", TYPE, CMD_GET_HW_INFO);
    public static final Ioctl FAULT_QUEUE_ALLOC = Ioctl.io("IOMMU_FAULT_QUEUE_ALLOC", TYPE, CMD_FAULT_QUEUE_ALLOC);

    /** {@code IOMMU_IOAS_MAP_FIXED_IOVA}: map at the given IOVA. */
    public static final int IOAS_MAP_FIXED_IOVA = 1 << 0;
    /** {@code IOMMU_IOAS_MAP_WRITEABLE}: the device may write. */
    public static final int IOAS_MAP_WRITEABLE = 1 << 1;
    /** {@code IOMMU_IOAS_MAP_READABLE}: the device may read. */
    public static final int IOAS_MAP_READABLE = 1 << 2;

    private IommufdIoctls() {
    }
}
