package dev.vcap.host;

import dev.vcap.pci.config.ConfigSpace;

/**
 * A device's config-space region as the host lets user space reach it (vfio's config region):
 * reads and writes of 1, 2 or 4 naturally sized bytes, little-endian. This is what a
 * {@code VirtualConfigSpace} passes guest accesses through to, where its policy allows.
 *
 * <p>Implementations decide what a write does: the simulated vfio device applies the kernel's
 * permission tables; {@link InMemoryConfigRegion} stores bytes as they come.
 */
public interface ConfigRegion {

    /** Bytes in the region: 256 or 4096. */
    int size();

    /**
     * Reads {@code width} (1, 2 or 4) bytes at {@code offset} as an unsigned little-endian value.
     *
     * @throws IllegalArgumentException for a bad width or an access outside the region
     */
    int read(int offset, int width);

    /**
     * Writes the low {@code width} (1, 2 or 4) bytes of {@code value} at {@code offset}.
     *
     * @throws IllegalArgumentException for a bad width or an access outside the region
     */
    void write(int offset, int width, int value);

    /** Every byte of the region as it reads now, dword by dword. */
    default ConfigSpace snapshot() {
        ConfigSpace cs = ConfigSpace.allocate(size());
        for (int p = 0; p < size(); p += 4) {
            cs.setU32(p, read(p, 4));
        }
        return cs;
    }

    /** Checks an access; shared by implementations so every one reports the same error. */
    static void checkAccess(int size, int offset, int width) {
        if (width != 1 && width != 2 && width != 4) {
            throw new IllegalArgumentException("access width must be 1, 2 or 4, got " + width);
        }
        if (offset < 0 || offset > size - width) {
            throw new IllegalArgumentException(String.format(
                    "%d-byte access at 0x%x is outside the %d-byte config region", width, offset, size));
        }
    }
}
