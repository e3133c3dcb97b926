package dev.vcap.kernel;

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
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A PCI function vfio-pci owns on this machine, as sysfs describes it. Inside the harness's
 * guest these are QEMU's emulated endpoints (kernel/vm.sh binds every function behind a root port).
 *
 * @param address   the function
 * @param sysfs     {@code /sys/bus/pci/devices/ADDR}
 * @param vendor    sysfs {@code vendor}
 * @param device    sysfs {@code device}
 * @param group     the IOMMU group number
 * @param vfioCdev  {@code /dev/vfio/devices/vfioN}, or null on a kernel without the vfio cdev
 */
public record VfioFunction(PciAddress address, Path sysfs, int vendor, int device, int group, Path vfioCdev) {

    public static final Path DEVICES = Path.of("/sys/bus/pci/devices");
    private static final Path VFIO_PCI = Path.of("/sys/bus/pci/drivers/vfio-pci");

    /** The functions bound to vfio-pci, in address order (empty without vfio-pci). */
    public static List<VfioFunction> vfioBound() {
        if (!Files.isDirectory(VFIO_PCI)) {
            return List.of();
        }
        List<VfioFunction> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(VFIO_PCI)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.matches("\\p{XDigit}{4}:\\p{XDigit}{2}:\\p{XDigit}{2}\\.\\p{XDigit}")) {
                    out.add(of(PciAddress.parse(name)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(out);
    }

    /** One function's sysfs facts. */
    public static VfioFunction of(PciAddress address) {
        Path dir = DEVICES.resolve(address.toString());
        try {
            int group = Integer.parseInt(Files.readSymbolicLink(dir.resolve("iommu_group")).getFileName().toString());
            Path cdev = null;
            Path vfioDev = dir.resolve("vfio-dev");
            if (Files.isDirectory(vfioDev)) {
                try (Stream<Path> s = Files.list(vfioDev)) {
                    cdev = s.map(p -> Path.of("/dev/vfio/devices", p.getFileName().toString())).findFirst().orElse(null);
                }
            }
            return new VfioFunction(address, dir, hex(dir.resolve("vendor")), hex(dir.resolve("device")), group, cdev);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int hex(Path p) throws IOException {
        return Integer.decode(Files.readString(p).trim());
    }

    /** {@code vendor:device} as lspci prints it. */
    public String ids() {
        return String.format("%04x:%04x", vendor, device);
    }

    /** The function's config space as the PCI core reads it from the device (sysfs {@code config}). */
    public ConfigSpace sysfsConfig() {
        try {
            return ConfigSpace.copyOf(Files.readAllBytes(sysfs.resolve("config")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sizes of BAR0..BAR5 and the ROM from sysfs {@code resource} (start, end, flags per line): what
     * the PCI core assigned, and what vfio sizes its virtual BARs by.
     */
    public long[][] resources() {
        try {
            List<String> lines = Files.readAllLines(sysfs.resolve("resource"));
            long[][] r = new long[7][];
            for (int i = 0; i < 7; i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                long start = Long.decode(f[0]);
                long end = Long.decode(f[1]);
                long flags = Long.decode(f[2]);
                r[i] = new long[] {start, start == 0 && end == 0 ? 0 : end - start + 1, flags};
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Raw access to the device's config space through sysfs ({@code pci_user_read_config_*} /
     * {@code pci_user_write_config_*}: what reaches the device, bypassing vfio). Root only.
     */
    public Sysfs openSysfs() {
        try {
            return new Sysfs(FileChannel.open(sysfs.resolve("config"), StandardOpenOption.READ,
                    StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An open sysfs {@code config} file: naturally aligned 1-, 2- and 4-byte little-endian accesses. */
    public static final class Sysfs implements AutoCloseable {
        private final FileChannel ch;

        Sysfs(FileChannel ch) {
            this.ch = ch;
        }

        public int read(int offset, int width) {
            ByteBuffer b = ByteBuffer.allocate(width).order(ByteOrder.LITTLE_ENDIAN);
            try {
                if (ch.read(b, offset) != width) {
                    throw new IOException(width + "-byte read at 0x" + Integer.toHexString(offset) + " was short");
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
                    throw new IOException(width + "-byte write at 0x" + Integer.toHexString(offset) + " was short");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The whole config space, read dword by dword. */
        public ConfigSpace snapshot(int size) {
            ConfigSpace cs = ConfigSpace.allocate(size);
            for (int p = 0; p < size; p += 4) {
                cs.setU32(p, read(p, 4));
            }
            return cs;
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
}
