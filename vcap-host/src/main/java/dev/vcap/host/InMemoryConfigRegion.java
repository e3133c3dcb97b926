package dev.vcap.host;

import dev.vcap.pci.config.ConfigSpace;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A config region over plain memory: every write lands. It counts writes so tests can assert that
 * nothing reached the "hardware". The bytes are kept as little-endian dwords so that a naturally
 * aligned access is one atomic load or store: concurrent readers never see a torn register, and
 * reads take no lock.
 */
public final class InMemoryConfigRegion implements ConfigRegion {

    private static final VarHandle DWORDS = MethodHandles.arrayElementVarHandle(int[].class);

    private final int[] dwords;
    private final int size;
    private long writes;

    /** @param image copied; the region starts with these bytes */
    public InMemoryConfigRegion(ConfigSpace image) {
        size = image.length();
        dwords = new int[size / 4];
        for (int i = 0; i < dwords.length; i++) {
            dwords[i] = image.u32(i * 4);
        }
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int read(int offset, int width) {
        ConfigRegion.checkAccess(size, offset, width);
        if ((offset & (width - 1)) != 0) {
            synchronized (this) {
                return snapshot().read(offset, width);
            }
        }
        int value = (int) DWORDS.getAcquire(dwords, offset >>> 2) >>> (8 * (offset & 3));
        return width == 4 ? value : value & ((1 << (8 * width)) - 1);
    }

    @Override
    public synchronized void write(int offset, int width, int value) {
        ConfigRegion.checkAccess(size, offset, width);
        for (int i = 0; i < width; i++) { // byte by byte: any alignment, same result
            int at = offset + i;
            int shift = 8 * (at & 3);
            int dword = (int) DWORDS.get(dwords, at >>> 2);
            DWORDS.setRelease(dwords, at >>> 2, (dword & ~(0xFF << shift)) | ((value >>> (8 * i)) & 0xFF) << shift);
        }
        writes++;
    }

    /** How many writes reached this region. */
    public synchronized long writes() {
        return writes;
    }

    /** A copy of the current bytes. */
    public synchronized ConfigSpace snapshot() {
        ConfigSpace out = ConfigSpace.allocate(size);
        for (int i = 0; i < dwords.length; i++) {
            out.setU32(i * 4, dwords[i]);
        }
        return out;
    }
}
