package dev.vcap.vmm.viommu;

/**
 * A guest PASID-table entry the vIOMMU saw the guest write (VT-d scalable-mode PASID entry, SMMUv3
 * context descriptor): which PASID, its stage-1 page table, and whether the guest asked for
 * recoverable faults (page requests) on it.
 *
 * @param pasid        the PASID (1 .. 2^width - 1; PASID 0 is the RID's)
 * @param stage1Root   the guest-physical address of the stage-1 table root
 * @param faultCapable whether faults on it should be recoverable (PRI / IOPF)
 */
public record GuestPasidEntry(int pasid, long stage1Root, boolean faultCapable) {
}
