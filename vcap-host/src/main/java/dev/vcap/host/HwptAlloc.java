package dev.vcap.host;

/**
 * The input of IOMMU_HWPT_ALLOC ({@code struct iommu_hwpt_alloc}): allocate a hardware page table
 * for device {@code devId} on top of {@code ptId}, an IOAS (a paging HWPT) or a paging HWPT
 * allocated with {@link #NEST_PARENT} (a nested HWPT, which needs driver data).
 *
 * @param flags    a combination of {@link #NEST_PARENT}, {@link #DIRTY_TRACKING},
 *                 {@link #FAULT_ID_VALID}, {@link #PASID}
 * @param devId    the bound device the HWPT is for
 * @param ptId     an IOAS or a nest-parent HWPT
 * @param dataType {@link #DATA_NONE} or a driver data type (nested HWPTs)
 * @param dataLen  length of the driver data; 0 with {@link #DATA_NONE}
 * @param faultId  a fault queue, read only with {@link #FAULT_ID_VALID}
 * @param reserved {@code __reserved}; must be 0
 */
public record HwptAlloc(int flags, int devId, int ptId, int dataType, int dataLen, int faultId, int reserved) {

    /** IOMMU_HWPT_ALLOC_NEST_PARENT: may serve as the parent of nested HWPTs. */
    public static final int NEST_PARENT = 1 << 0;
    /** IOMMU_HWPT_ALLOC_DIRTY_TRACKING. */
    public static final int DIRTY_TRACKING = 1 << 1;
    /** IOMMU_HWPT_FAULT_ID_VALID: {@code faultId} names a fault queue; the HWPT is fault-capable (PRI). */
    public static final int FAULT_ID_VALID = 1 << 2;
    /** IOMMU_HWPT_ALLOC_PASID: the domain may be used with PASIDs (and beside them on the RID). */
    public static final int PASID = 1 << 3;
    /** Every flag Linux 6.15 knows. */
    public static final int KNOWN_FLAGS = NEST_PARENT | DIRTY_TRACKING | FAULT_ID_VALID | PASID;

    /** IOMMU_HWPT_DATA_NONE. */
    public static final int DATA_NONE = 0;
    /** IOMMU_HWPT_DATA_VTD_S1: an Intel VT-d stage-1 table (nested). */
    public static final int DATA_VTD_S1 = 1;

    /** A paging HWPT on an IOAS. */
    public static HwptAlloc paging(int devId, int ioasId, int flags) {
        return new HwptAlloc(flags, devId, ioasId, DATA_NONE, 0, 0, 0);
    }

    /** A fault-capable paging HWPT on an IOAS. */
    public static HwptAlloc pagingWithFault(int devId, int ioasId, int flags, int faultId) {
        return new HwptAlloc(flags | FAULT_ID_VALID, devId, ioasId, DATA_NONE, 0, faultId, 0);
    }

    /** A nested HWPT on a nest-parent HWPT, with a VT-d stage-1 description (24 bytes). */
    public static HwptAlloc nested(int devId, int parentId, int flags) {
        return new HwptAlloc(flags, devId, parentId, DATA_VTD_S1, 24, 0, 0);
    }
}
