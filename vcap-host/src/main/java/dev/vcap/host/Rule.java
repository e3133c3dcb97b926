package dev.vcap.host;

/**
 * Every rule of the host contract that fails a call, with the errno Linux 6.15 returns for it and
 * where the kernel enforces it. {@code docs/HOST.md} lists them with the test that pins each one.
 */
public enum Rule {
    // ---- uAPI argument rules (drivers/vfio/device_cdev.c, drivers/iommu/iommufd/main.c)
    /** The user buffer is shorter than the bytes the kernel copies from or to it. */
    USER_BUFFER_FAULT(Errno.EFAULT, "copy_from_user/copy_to_user"),
    /** VFIO attach/detach: {@code argsz} below the minimal size (up to {@code pt_id} / {@code flags}). */
    ARGSZ_BELOW_MINIMUM(Errno.EINVAL, "drivers/vfio/device_cdev.c"),
    /** VFIO attach/detach: a flag bit other than ATTACH_PASID / DETACH_PASID. */
    UNKNOWN_FLAGS(Errno.EINVAL, "drivers/vfio/device_cdev.c"),
    /** VFIO attach/detach with the PASID flag: {@code argsz} does not reach the end of {@code pasid}. */
    ARGSZ_TOO_SMALL_FOR_PASID(Errno.EINVAL, "drivers/vfio/device_cdev.c"),
    /** The PASID flag on a device whose driver has no {@code pasid_attach_ioas}/{@code pasid_detach_ioas}. */
    PASID_OPS_MISSING(Errno.EOPNOTSUPP, "drivers/vfio/device_cdev.c"),
    /** iommufd ioctl: {@code size} below the op's minimum. */
    SIZE_BELOW_MINIMUM(Errno.EINVAL, "drivers/iommu/iommufd/main.c"),
    /** iommufd ioctl: non-zero bytes beyond the structure the kernel knows. */
    NONZERO_TRAILING_BYTES(Errno.E2BIG, "copy_struct_from_user"),
    /** IOMMU_GET_HW_INFO: unknown flags or non-zero reserved bytes. */
    HW_INFO_FLAGS_OR_RESERVED(Errno.EOPNOTSUPP, "drivers/iommu/iommufd/device.c"),

    // ---- vfio device file
    /** A device ioctl before VFIO_DEVICE_BIND_IOMMUFD succeeded. */
    NOT_BOUND(Errno.EINVAL, "drivers/vfio/vfio_main.c"),
    /** VFIO_DEVICE_BIND_IOMMUFD on a device file that is already bound. */
    ALREADY_BOUND(Errno.EINVAL, "drivers/vfio/device_cdev.c"),
    /** No such device on this host. */
    NO_SUCH_DEVICE(Errno.ENODEV, "drivers/vfio/device_cdev.c"),
    /** vfio-pci binds only type 0 (normal) functions: its probe refuses a bridge's header type. */
    HEADER_TYPE_NOT_NORMAL(Errno.EINVAL, "drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_register_device"),

    // ---- iommufd objects
    /** An object ID that does not exist (or is not of the type the ioctl needs). */
    NO_SUCH_OBJECT(Errno.ENOENT, "drivers/iommu/iommufd/main.c iommufd_get_object"),
    /** {@code pt_id} names an object that is neither an IOAS nor a HWPT. */
    PT_WRONG_TYPE(Errno.EINVAL, "drivers/iommu/iommufd/device.c iommufd_device_change_pt"),
    /** IOMMU_DESTROY of an object that is still in use (an attached HWPT, an IOAS with HWPTs). */
    OBJECT_BUSY(Errno.EBUSY, "drivers/iommu/iommufd/main.c"),

    // ---- IOMMU_HWPT_ALLOC (drivers/iommu/iommufd/hw_pagetable.c)
    /** {@code __reserved} is not zero. */
    HWPT_RESERVED(Errno.EOPNOTSUPP, "drivers/iommu/iommufd/hw_pagetable.c"),
    /** {@code data_type} NONE with a {@code data_len}, or a data type without one. */
    HWPT_DATA_MISMATCH(Errno.EINVAL, "drivers/iommu/iommufd/hw_pagetable.c"),
    /** Flags outside NEST_PARENT | DIRTY_TRACKING | FAULT_ID_VALID | PASID (nested: FAULT_ID_VALID | PASID). */
    HWPT_UNKNOWN_FLAGS(Errno.EOPNOTSUPP, "drivers/iommu/iommufd/hw_pagetable.c"),
    /** FAULT_ID_VALID together with NEST_PARENT: a parent cannot take faults. */
    HWPT_FAULT_ON_NEST_PARENT(Errno.EOPNOTSUPP, "drivers/iommu/iommufd/hw_pagetable.c"),
    /** A feature the IOMMU does not have: dirty tracking, nesting, user data on a paging domain. */
    HWPT_UNSUPPORTED(Errno.EOPNOTSUPP, "drivers/iommu/iommufd/hw_pagetable.c"),
    /** A nested HWPT whose parent was not allocated with NEST_PARENT (or is an auto domain). */
    HWPT_PARENT_NOT_NEST_PARENT(Errno.EINVAL, "drivers/iommu/iommufd/hw_pagetable.c"),
    /** {@code pt_id} of IOMMU_HWPT_ALLOC is missing or neither an IOAS nor a paging HWPT. */
    HWPT_BAD_PT(Errno.EINVAL, "drivers/iommu/iommufd/hw_pagetable.c"),

    // ---- attach / replace / detach (drivers/iommu/iommufd/device.c, drivers/iommu/iommu.c)
    /** A PASID above INT_MAX: vfio's ida cannot record it, so vfio refuses it before iommufd sees it. */
    PASID_ABOVE_INT_MAX(Errno.ENOSPC, "drivers/vfio/iommufd.c vfio_iommufd_physical_pasid_attach_ioas (ida_alloc_range)"),
    /** A PASID at or beyond the max_pasids (2^width) of a group device that can use PASID. */
    PASID_BEYOND_WIDTH(Errno.EINVAL, "drivers/iommu/iommu.c iommu_attach_device_pasid"),
    /** Once PASIDs are in use, the RID and every PASID need PASID-compatible (ALLOC_PASID) domains. */
    PASID_COMPAT_REQUIRED(Errno.EINVAL, "drivers/iommu/iommufd/device.c iommufd_hwpt_pasid_compat"),
    /** A fault-capable HWPT on a VF whose PF has PRI: PRI is shared, responses cannot be coordinated. */
    FAULT_HWPT_ON_VF_WITH_PF_PRI(Errno.EINVAL, "drivers/iommu/iommufd/device.c iommufd_hwpt_compatible_device"),
    /** A fault-capable HWPT on a device without PRI: IOPF cannot be enabled. */
    FAULT_HWPT_WITHOUT_PRI(Errno.ENODEV, "iommu driver enable IOPF"),
    /** Another device of the same group has this PASID (or the RID) attached to a different HWPT. */
    GROUP_ATTACHED_ELSEWHERE(Errno.EINVAL, "drivers/iommu/iommufd/device.c iommufd_hw_pagetable_attach"),
    /** The (device, PASID) already has an attachment: iommufd's attach refuses, vfio turns it into a replace. */
    ALREADY_ATTACHED(Errno.EBUSY, "drivers/iommu/iommufd/device.c iommufd_hw_pagetable_attach"),
    /** A replace of a (device, PASID) that has no attachment, below vfio's bookkeeping (a detach cannot fail). */
    NOT_ATTACHED(Errno.EINVAL, "drivers/iommu/iommufd/device.c iommufd_device_do_replace"),
    /** Binding a device whose group's DMA another iommufd context owns. */
    GROUP_OWNED_ELSEWHERE(Errno.EBUSY, "drivers/iommu/iommu.c iommu_device_claim_dma_owner"),
    /** The domain's ops have no set_dev_pasid (a nested domain on an IOMMU without nested PASID): checked before the width. */
    PASID_DOMAIN_UNSUPPORTED(Errno.EOPNOTSUPP, "drivers/iommu/iommu.c iommu_attach_device_pasid"),

    // ---- PCI core (drivers/pci/ats.c, drivers/pci/iov.c)
    /** Enabling PASID, PRI or ATS on a function that does not have the capability. */
    PCI_CAPABILITY_ABSENT(Errno.EINVAL, "drivers/pci/ats.c"),
    /** Enabling PASID, PRI or ATS that the PCI core already enabled on this function. */
    PCI_ALREADY_ENABLED(Errno.EBUSY, "drivers/pci/ats.c"),
    /** Enabling PASID on a VF whose PF has not enabled it. */
    VF_PASID_NEEDS_PF(Errno.EINVAL, "drivers/pci/ats.c pci_enable_pasid"),
    /** Enabling PRI on a VF whose PF has not enabled it. */
    VF_PRI_NEEDS_PF(Errno.EINVAL, "drivers/pci/ats.c pci_enable_pri"),
    /** Enabling ATS on a VF with a smallest translation unit other than the PF's. */
    VF_ATS_STU_MISMATCH(Errno.EINVAL, "drivers/pci/ats.c pci_enable_ats"),
    /** An ATS smallest translation unit below 4 KiB (PCI_ATS_MIN_STU = 12). */
    ATS_STU_TOO_SMALL(Errno.EINVAL, "drivers/pci/ats.c pci_enable_ats"),
    /** Enabling PASID with Exec or Privileged features the capability does not support. */
    PASID_FEATURES_UNSUPPORTED(Errno.EINVAL, "drivers/pci/ats.c pci_enable_pasid"),
    /** Enabling PRI while the Stopped bit is clear (page requests still outstanding). */
    PRI_NOT_STOPPED(Errno.EBUSY, "drivers/pci/ats.c pci_enable_pri"),
    /** Resetting PRI while it is enabled. */
    PRI_RESET_WHILE_ENABLED(Errno.EBUSY, "drivers/pci/ats.c pci_reset_pri"),
    /** sriov_numvfs above TotalVFs. */
    SRIOV_TOO_MANY_VFS(Errno.ERANGE, "drivers/pci/iov.c sriov_numvfs_store"),
    /** sriov_numvfs changed from one non-zero count to another without going through 0. */
    SRIOV_VFS_ALREADY_ENABLED(Errno.EBUSY, "drivers/pci/iov.c sriov_numvfs_store"),
    /** Spawning VFs from a function without an SR-IOV capability. */
    SRIOV_ABSENT(Errno.EINVAL, "drivers/pci/iov.c");

    private final Errno errno;
    private final String source;

    Rule(Errno errno, String source) {
        this.errno = errno;
        this.source = source;
    }

    public Errno errno() {
        return errno;
    }

    /** Where Linux enforces the rule. */
    public String source() {
        return source;
    }

    /** A {@link HostException} for this rule. */
    public HostException fail(String detail) {
        return new HostException(this, detail);
    }
}
