package dev.vcap.host.sim;

import java.util.TreeSet;
import java.util.function.IntConsumer;

/**
 * A set of PASIDs in 0..INT_MAX. Those below {@code capacity} are one bit each, allocated on first
 * insertion (128 KiB at 2^20 PASIDs); larger ones — which only a device that cannot use PASID ever
 * gets, since the IOMMU core then records the attachment without a width check — go to a sorted
 * set. Not thread-safe; its owner locks.
 */
final class PasidBitmap {

    private final int capacity;
    private long[] words;
    private TreeSet<Integer> beyond;
    private int count;

    PasidBitmap(int capacity) {
        this.capacity = capacity;
    }

    boolean contains(int pasid) {
        if (pasid >= capacity) {
            return beyond != null && beyond.contains(pasid);
        }
        long[] w = words;
        return w != null && pasid >= 0 && (w[pasid >>> 6] & 1L << pasid) != 0;
    }

    /** Adds a PASID in 0..INT_MAX; returns false when it was present. */
    boolean add(int pasid) {
        if (pasid < 0) {
            throw new IllegalArgumentException("PASID " + Integer.toUnsignedString(pasid) + " is beyond INT_MAX");
        }
        if (pasid >= capacity) {
            if (beyond == null) {
                beyond = new TreeSet<>();
            }
            if (!beyond.add(pasid)) {
                return false;
            }
            count++;
            return true;
        }
        if (words == null) {
            words = new long[(capacity + 63) >>> 6];
        }
        long bit = 1L << pasid;
        int i = pasid >>> 6;
        if ((words[i] & bit) != 0) {
            return false;
        }
        words[i] |= bit;
        count++;
        return true;
    }

    /** Removes a PASID; returns false when it was absent. */
    boolean remove(int pasid) {
        if (!contains(pasid)) {
            return false;
        }
        if (pasid >= capacity) {
            beyond.remove(pasid);
        } else {
            words[pasid >>> 6] &= ~(1L << pasid);
        }
        count--;
        return true;
    }

    int count() {
        return count;
    }

    /** Calls {@code action} for each PASID in ascending order (on a snapshot: removal is safe). */
    void forEach(IntConsumer action) {
        Integer[] large = beyond == null ? new Integer[0] : beyond.toArray(Integer[]::new);
        if (words != null) {
            long[] snapshot = words.clone();
            for (int i = 0; i < snapshot.length; i++) {
                long w = snapshot[i];
                while (w != 0) {
                    int bit = Long.numberOfTrailingZeros(w);
                    action.accept(i << 6 | bit);
                    w &= w - 1;
                }
            }
        }
        for (Integer p : large) {
            action.accept(p);
        }
    }
}
