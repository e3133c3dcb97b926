package dev.vcap.host.sim;

import java.util.TreeMap;

/**
 * A table of int values indexed by PASID. PASIDs below {@code capacity} live in a page directory of
 * 1024-entry int pages allocated on first use: at 2^20 PASIDs all set, 1024 pages of 4 KiB plus a
 * 4 KiB directory, a little over 4 bytes per PASID. PASIDs from {@code capacity} up to
 * {@link Integer#MAX_VALUE} — which the kernel records for a device that cannot use PASID at all
 * ({@code __iommu_set_group_pasid} skips it; vfio's ida stops at INT_MAX) — go to a sorted map.
 * Zero means "no entry".
 *
 * <p>Not thread-safe; its owner locks.
 */
final class PasidTable {

    static final int PAGE_SHIFT = 10;
    static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    private static final int PAGE_MASK = PAGE_SIZE - 1;

    private final int capacity;
    private final int[][] pages;
    private TreeMap<Integer, Integer> beyond;
    private int count;

    /** @param capacity PASIDs 0..capacity-1 get dense pages; 0 makes every entry sparse */
    PasidTable(int capacity) {
        this.capacity = capacity;
        this.pages = new int[(capacity + PAGE_MASK) >>> PAGE_SHIFT][];
    }

    /** Entries that are not zero. */
    int count() {
        return count;
    }

    /** The entry of a PASID (0 for none, and for a negative PASID). */
    int get(int pasid) {
        if (pasid < 0) {
            return 0;
        }
        if (pasid >= capacity) {
            return beyond == null ? 0 : beyond.getOrDefault(pasid, 0);
        }
        int[] page = pages[pasid >>> PAGE_SHIFT];
        return page == null ? 0 : page[pasid & PAGE_MASK];
    }

    /** Sets an entry of a PASID in 0..INT_MAX; {@code value} 0 clears it. Returns the previous value. */
    int set(int pasid, int value) {
        if (pasid < 0) {
            throw new IllegalArgumentException("PASID " + Integer.toUnsignedString(pasid) + " is beyond INT_MAX");
        }
        int old;
        if (pasid >= capacity) {
            if (beyond == null) {
                beyond = new TreeMap<>();
            }
            Integer prev = value == 0 ? beyond.remove(pasid) : beyond.put(pasid, value);
            old = prev == null ? 0 : prev;
        } else {
            int p = pasid >>> PAGE_SHIFT;
            int[] page = pages[p];
            if (page == null) {
                if (value == 0) {
                    return 0;
                }
                page = new int[PAGE_SIZE];
                pages[p] = page;
            }
            int i = pasid & PAGE_MASK;
            old = page[i];
            page[i] = value;
        }
        count += (value != 0 ? 1 : 0) - (old != 0 ? 1 : 0);
        return old;
    }
}
