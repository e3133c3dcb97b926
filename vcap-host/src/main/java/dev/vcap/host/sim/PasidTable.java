package dev.vcap.host.sim;

/**
 * A table of int values indexed by PASID, for up to {@code capacity} PASIDs: a page directory of
 * 1024-entry int pages allocated on first use. Zero means "no entry". At 2^20 PASIDs all set, it
 * holds 1024 pages of 4 KiB plus a 4 KiB directory: a little over 4 bytes per PASID.
 *
 * <p>Not thread-safe; its owner locks.
 */
final class PasidTable {

    static final int PAGE_SHIFT = 10;
    static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    private static final int PAGE_MASK = PAGE_SIZE - 1;

    private final int capacity;
    private final int[][] pages;
    private int count;

    /** @param capacity PASIDs 0..capacity-1 may be set; 0 makes an empty table */
    PasidTable(int capacity) {
        this.capacity = capacity;
        this.pages = new int[(capacity + PAGE_MASK) >>> PAGE_SHIFT][];
    }

    int capacity() {
        return capacity;
    }

    /** Entries that are not zero. */
    int count() {
        return count;
    }

    int get(int pasid) {
        int[] page = pages[pasid >>> PAGE_SHIFT];
        return page == null ? 0 : page[pasid & PAGE_MASK];
    }

    /** Sets an entry; {@code value} 0 clears it. Returns the previous value. */
    int set(int pasid, int value) {
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
        int old = page[i];
        page[i] = value;
        count += (value != 0 ? 1 : 0) - (old != 0 ? 1 : 0);
        return old;
    }

    /** Calls {@code action} for every non-zero entry, in PASID order. */
    void forEach(Entry action) {
        for (int p = 0; p < pages.length; p++) {
            int[] page = pages[p];
            if (page == null) {
                continue;
            }
            for (int i = 0; i < PAGE_SIZE; i++) {
                if (page[i] != 0) {
                    action.accept(p << PAGE_SHIFT | i, page[i]);
                }
            }
        }
    }

    /** Clears every entry (pages stay allocated). */
    void clear() {
        for (int[] page : pages) {
            if (page != null) {
                java.util.Arrays.fill(page, 0);
            }
        }
        count = 0;
    }

    @FunctionalInterface
    interface Entry {
        void accept(int pasid, int value);
    }
}
