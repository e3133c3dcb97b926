package dev.vcap.guest;

import dev.vcap.pci.config.ConfigSpace;

/**
 * A {@link ConfigPort} straight over an image's bytes, for tests: reads return the bytes, writes
 * store them (no register semantics: read-only, RW1C and reserved bits are all plain RAM).
 *
 * <p>Bytes past the image's length (a 256-byte image, or a short capture) read as 0xff and take no
 * writes, as an unanswered config access does. The image is shared, not copied: a test changes the
 * device "under" the guest by changing {@link #config()} or by {@link #swap(ConfigSpace)}.
 */
public final class InMemoryConfigPort implements ConfigPort {

    private ConfigSpace config;

    public InMemoryConfigPort(ConfigSpace config) {
        this.config = config;
    }

    /** The image this port serves (live). */
    public ConfigSpace config() {
        return config;
    }

    /** Replaces the image this port serves, as a migration to another device does. */
    public void swap(ConfigSpace replacement) {
        this.config = replacement;
    }

    @Override
    public int read(int offset, int width) {
        ConfigPort.checkAccess(offset, width);
        int value = 0;
        for (int i = 0; i < width; i++) {
            int at = offset + i;
            int b = at < config.length() ? config.u8(at) : 0xFF;
            value |= b << (8 * i);
        }
        return value;
    }

    @Override
    public void write(int offset, int width, int value) {
        ConfigPort.checkAccess(offset, width);
        for (int i = 0; i < width; i++) {
            int at = offset + i;
            if (at < config.length()) {
                config.setU8(at, value >>> (8 * i));
            }
        }
    }
}
