package dev.vcap.host;

import dev.vcap.pci.config.ConfigSpace;

/**
 * A config region over plain bytes: every write lands. It counts writes so tests can assert that
 * nothing reached the "hardware".
 */
public final class InMemoryConfigRegion implements ConfigRegion {

    private final ConfigSpace bytes;
    private long writes;

    /** @param image copied; the region starts with these bytes */
    public InMemoryConfigRegion(ConfigSpace image) {
        this.bytes = image.copy();
    }

    @Override
    public int size() {
        return bytes.length();
    }

    @Override
    public synchronized int read(int offset, int width) {
        ConfigRegion.checkAccess(bytes.length(), offset, width);
        return bytes.read(offset, width);
    }

    @Override
    public synchronized void write(int offset, int width, int value) {
        ConfigRegion.checkAccess(bytes.length(), offset, width);
        bytes.write(offset, width, value);
        writes++;
    }

    /** How many writes reached this region. */
    public synchronized long writes() {
        return writes;
    }

    /** A copy of the current bytes. */
    public synchronized ConfigSpace snapshot() {
        return bytes.copy();
    }
}
