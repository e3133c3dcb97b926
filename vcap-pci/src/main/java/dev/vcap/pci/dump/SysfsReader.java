package dev.vcap.pci.dump;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reads live devices from sysfs ({@code /sys/bus/pci/devices/ADDRESS/config}). As root the
 * {@code config} file holds the whole config space (256 or 4096 bytes); other users see the first
 * 64 bytes only, which the chain walk reports as a truncated image.
 */
public final class SysfsReader {

    /** Where Linux lists PCI functions. */
    public static final Path DEFAULT_ROOT = Path.of("/sys/bus/pci/devices");

    private final Path root;

    public SysfsReader(Path root) {
        this.root = root;
    }

    public SysfsReader() {
        this(DEFAULT_ROOT);
    }

    /** Every function under the root, in address order. */
    public List<DeviceImage> readAll() {
        List<PciAddress> addresses = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.forEach(p -> {
                String s = p.getFileName().toString();
                PciAddress a = PciAddress.tryParse(s, 0, s.length());
                if (a != null) {
                    addresses.add(a);
                }
            });
        } catch (IOException e) {
            throw new DumpFormatException(root.toString(), 0, "cannot list PCI devices: " + e.getMessage());
        }
        addresses.sort(null);
        List<DeviceImage> out = new ArrayList<>(addresses.size());
        for (PciAddress a : addresses) {
            out.add(read(a));
        }
        return out;
    }

    /** One function. */
    public DeviceImage read(PciAddress address) {
        Path dir = root.resolve(address.toString());
        Path config = dir.resolve("config");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(config);
        } catch (IOException e) {
            throw new DumpFormatException(config.toString(), 0, "cannot read: " + e.getMessage()
                    + (Files.isDirectory(dir) ? "" : " (no such device)"));
        }
        int length = bytes.length - bytes.length % ConfigSpace.LINE_SIZE;
        if (length < ConfigSpace.HEADER_SIZE) {
            throw new DumpFormatException(config.toString(), 0, "holds " + bytes.length
                    + " bytes; expected at least the 64-byte header");
        }
        length = Math.min(length, ConfigSpace.EXTENDED_SIZE);
        ConfigSpace cs = ConfigSpace.copyOf(Arrays.copyOf(bytes, length));
        return new DeviceImage(address, describe(dir, cs), cs, config.toString());
    }

    private static String describe(Path dir, ConfigSpace cs) {
        String driver = "";
        try {
            Path link = dir.resolve("driver");
            if (Files.isSymbolicLink(link)) {
                driver = " driver " + Files.readSymbolicLink(link).getFileName();
            }
        } catch (IOException e) {
            // the description is informational only
        }
        return String.format(Locale.ROOT, "Class %06x: Device %04x:%04x%s", classOf(dir, cs), cs.u16(0), cs.u16(2), driver);
    }

    private static int classOf(Path dir, ConfigSpace cs) {
        try {
            String s = Files.readString(dir.resolve("class"), StandardCharsets.US_ASCII).trim();
            return Integer.decode(s);
        } catch (IOException | NumberFormatException e) {
            return cs.u8(0x0B) << 16 | cs.u8(0x0A) << 8 | cs.u8(0x09);
        }
    }
}
