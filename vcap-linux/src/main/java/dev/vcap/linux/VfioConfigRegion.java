package dev.vcap.linux;

import dev.vcap.host.ConfigRegion;
import dev.vcap.linux.sys.Fd;
import dev.vcap.linux.sys.Libc;
import dev.vcap.linux.uapi.VfioRegionInfo;
import dev.vcap.pci.config.ConfigSpace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * The config region of an open vfio device (VFIO_PCI_CONFIG_REGION_INDEX): every access is one
 * {@code pread} or {@code pwrite} at the region's offset in the device file, so it is exactly what
 * vfio-pci's {@code vfio_config_do_rw} answers — virtualized bits, hidden capabilities, dropped
 * writes and all. Thread-safe (positional I/O, no shared file position).
 */
final class VfioConfigRegion implements ConfigRegion {

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ThreadLocal<MemorySegment> BUFFER = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(4));

    private final Fd device;
    private final VfioRegionInfo.Region region;
    private final String what;

    VfioConfigRegion(Fd device, VfioRegionInfo.Region region, String what) {
        if (region.size() <= 0 || region.size() > ConfigSpace.EXTENDED_SIZE) {
            throw new IllegalArgumentException(what + ": vfio reports a config region of " + region.size()
                    + " bytes; expected 256 or 4096");
        }
        this.device = device;
        this.region = region;
        this.what = what;
    }

    /** Where the region starts in the device file, and its flags. */
    VfioRegionInfo.Region info() {
        return region;
    }

    @Override
    public int size() {
        return (int) region.size();
    }

    @Override
    public int read(int offset, int width) {
        ConfigRegion.checkAccess(size(), offset, width);
        MemorySegment buf = BUFFER.get().asSlice(0, width);
        String call = String.format(Locale.ROOT, "pread %s config 0x%x/%d", what, offset, width);
        long n = Kernel.call("", () -> device.use(fd -> Libc.pread(fd, buf, region.offset() + offset, call)));
        if (n != width) {
            throw new IllegalStateException(call + ": the kernel returned " + n + " bytes");
        }
        int value = BUFFER.get().get(LE_INT, 0);
        return width == 4 ? value : value & ((1 << (8 * width)) - 1);
    }

    @Override
    public void write(int offset, int width, int value) {
        ConfigRegion.checkAccess(size(), offset, width);
        MemorySegment buf = BUFFER.get();
        buf.set(LE_INT, 0, value);
        String call = String.format(Locale.ROOT, "pwrite %s config 0x%x/%d", what, offset, width);
        long n = Kernel.call("", () -> device.use(fd -> Libc.pwrite(fd, buf.asSlice(0, width),
                region.offset() + offset, call)));
        if (n != width) {
            throw new IllegalStateException(call + ": the kernel took " + n + " bytes");
        }
    }

    /** The whole region in one {@code pread}: what a VMM reads when it opens the device. */
    ConfigSpace snapshot() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(size());
            long n = Kernel.call("", () -> device.use(fd -> Libc.pread(fd, buf, region.offset(),
                    "pread " + what + " config")));
            if (n != size()) {
                throw new IllegalStateException("pread " + what + " config: " + n + " of " + size() + " bytes");
            }
            return ConfigSpace.copyOf(buf.toArray(ValueLayout.JAVA_BYTE));
        }
    }
}
