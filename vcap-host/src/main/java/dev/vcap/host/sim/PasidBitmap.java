package dev.vcap.host.sim;

import java.util.function.IntConsumer;

/**
 * A set of PASIDs as one bit each, allocated on first insertion: 128 KiB at 2^20 PASIDs. Not
 * thread-safe; its owner locks.
 */
final class PasidBitmap {

    private final int capacity;
    private long[] words;
    private int count;

    PasidBitmap(int capacity) {
        this.capacity = capacity;
    }

    boolean contains(int pasid) {
        long[] w = words;
        return w != null && pasid >= 0 && pasid < capacity && (w[pasid >>> 6] & 1L << pasid) != 0;
    }

    /** Adds a PASID; returns false when it was present. */
    boolean add(int pasid) {
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
        words[pasid >>> 6] &= ~(1L << pasid);
        count--;
        return true;
    }

    int count() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Calls {@code action} for each PASID in ascending order (on a snapshot: removal is safe). */
    void forEach(IntConsumer action) {
        if (words == null) {
            return;
        }
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
}
