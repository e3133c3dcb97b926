package dev.vcap.kernel;

import dev.vcap.host.vfio.VfioPciBackend;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.PciAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A function's config space through sysfs ({@code /sys/bus/pci/devices/ADDR/config}): reads and
 * writes go to the device by {@code pci_user_read_config_*} / {@code pci_user_write_config_*},
 * bypassing vfio — what the device itself holds, the ground truth under vfio's view. Naturally
 * aligned 1-, 2- and 4-byte little-endian accesses; writing needs root. Also the function's BAR and
 * ROM resources as the PCI core assigned them (sysfs {@code resource}), which vfio sizes its
 * virtual BARs by.
 */
public final class SysfsConfig implements AutoCloseable {

    public static final Path DEVICES = Path.of("/sys/bus/pci/devices");

    private final PciAddress address;
    private final FileChannel ch;

    private SysfsConfig(PciAddress address, FileChannel ch) {
        this.address = address;
        this.ch = ch;
    }

    public static SysfsConfig open(PciAddress address) {
        try {
            return new SysfsConfig(address, FileChannel.open(DEVICES.resolve(address.toString()).resolve("config"),
                    StandardOpenOption.READ, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int size() {
        try {
            return (int) ch.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int read(int offset, int width) {
        ByteBuffer b = ByteBuffer.allocate(width).order(ByteOrder.LITTLE_ENDIAN);
        try {
            if (ch.read(b, offset) != width) {
                throw new IOException(address + ": short " + width + "-byte sysfs read at 0x" + Integer.toHexString(offset));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        b.flip();
        return switch (width) {
            case 1 -> b.get() & 0xFF;
            case 2 -> b.getShort() & 0xFFFF;
            default -> b.getInt();
        };
    }

    public void write(int offset, int width, int value) {
        ByteBuffer b = ByteBuffer.allocate(width).order(ByteOrder.LITTLE_ENDIAN);
        switch (width) {
            case 1 -> b.put((byte) value);
            case 2 -> b.putShort((short) value);
            default -> b.putInt(value);
        }
        b.flip();
        try {
            if (ch.write(b, offset) != width) {
                throw new IOException(address + ": short " + width + "-byte sysfs write at 0x" + Integer.toHexString(offset));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * drivers/pci/probe.c {@code pci_intx_mask_broken}, done again through sysfs: INTx Disable is
     * toggled, read back, and restored. True when it toggles ({@code pci_intx_mask_supported}).
     */
    public boolean intxMaskSupported() {
        int orig = read(0x04, 2);
        int toggle = orig ^ 0x0400;
        write(0x04, 2, toggle);
        int now = read(0x04, 2);
        write(0x04, 2, orig);
        return now == toggle;
    }

    /** The whole config space, dword by dword. */
    public ConfigSpace snapshot() {
        int size = size();
        ConfigSpace cs = ConfigSpace.allocate(size);
        for (int p = 0; p < size; p += 4) {
            cs.setU32(p, read(p, 4));
        }
        return cs;
    }

    /**
     * BAR0..BAR5 and the ROM as sysfs {@code resource} lists them (start, end, flags a line), in
     * the form vfio's BAR fix-up reads them ({@code pci_resource_start/len/flags}).
     */
    public static VfioPciBackend.Resource[] resources(PciAddress address) {
        try {
            List<String> lines = Files.readAllLines(DEVICES.resolve(address.toString()).resolve("resource"));
            VfioPciBackend.Resource[] r = new VfioPciBackend.Resource[7];
            for (int i = 0; i < 7; i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                long start = Long.decode(f[0]);
                long end = Long.decode(f[1]);
                long flags = Long.decode(f[2]);
                r[i] = start == 0 && end == 0 ? VfioPciBackend.Resource.NONE
                        : new VfioPciBackend.Resource(start, end - start + 1, barFlags(flags));
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** IORESOURCE_IO / _MEM_64 / _PREFETCH (include/linux/ioport.h) as the BAR register's type bits. */
    static int barFlags(long ioresource) {
        final long io = 0x100;
        final long prefetch = 0x2000;
        final long mem64 = 0x100000;
        if ((ioresource & io) != 0) {
            return VfioPciBackend.Resource.IO;
        }
        return ((ioresource & mem64) != 0 ? VfioPciBackend.Resource.MEM_64 : 0)
                | ((ioresource & prefetch) != 0 ? VfioPciBackend.Resource.PREFETCH : 0);
    }

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
