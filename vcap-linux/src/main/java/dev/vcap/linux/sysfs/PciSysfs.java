package dev.vcap.linux.sysfs;

import dev.vcap.pci.config.PciAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads PCI functions from sysfs as the kernel lays it out (drivers/pci/pci-sysfs.c, iov.c,
 * drivers/vfio/vfio_main.c): {@code /sys/bus/pci/devices/ADDRESS} is a link into
 * {@code /sys/devices/pci...}, and in it {@code driver}, {@code iommu_group}, {@code physfn} and
 * {@code virtfnN} are links, {@code vendor}, {@code device}, {@code class}, ... hex text files, and
 * {@code vfio-dev/vfioN} the directory of the vfio device file. Works over any root, so tests use a
 * tree built in a temporary directory.
 */
public final class PciSysfs {

    /** The usual root. */
    public static final Path SYS = Path.of("/sys");

    private final Path devices;

    /** @param sysRoot the sysfs mount ({@code /sys}) */
    public PciSysfs(Path sysRoot) {
        this.devices = sysRoot.resolve("bus/pci/devices");
    }

    /** Where the functions are listed. */
    public Path devicesDir() {
        return devices;
    }

    /** Every function, in address order; an empty list when sysfs has no PCI bus. */
    public List<PciFunction> functions() {
        if (!Files.isDirectory(devices)) {
            return List.of();
        }
        TreeMap<PciAddress, PciFunction> out = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(devices)) {
            for (Path p : (Iterable<Path>) dirs::iterator) {
                String name = p.getFileName().toString();
                PciAddress a = PciAddress.tryParse(name, 0, name.length());
                if (a != null) {
                    out.put(a, read(a, p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(devices + ": cannot list PCI functions: " + e.getMessage(), e);
        }
        return List.copyOf(out.values());
    }

    /** One function, if sysfs has it. */
    public Optional<PciFunction> function(PciAddress address) {
        Path dir = devices.resolve(address.toString());
        return Files.isDirectory(dir) ? Optional.of(read(address, dir)) : Optional.empty();
    }

    private static PciFunction read(PciAddress a, Path dir) {
        List<PciAddress> virtfns = new ArrayList<>();
        for (int i = 0; ; i++) {
            PciAddress vf = linkedAddress(dir.resolve("virtfn" + i));
            if (vf == null) {
                break;
            }
            virtfns.add(vf);
        }
        String override = text(dir.resolve("driver_override")).orElse(null);
        return new PciFunction(a, hex(dir, "vendor"), hex(dir, "device"), hex(dir, "subsystem_vendor"),
                hex(dir, "subsystem_device"), hex(dir, "class"), linkName(dir.resolve("driver")),
                override == null || override.equals("(null)") || override.isEmpty() ? null : override,
                group(dir.resolve("iommu_group")), vfioDevice(dir.resolve("vfio-dev")),
                linkedAddress(dir.resolve("physfn")), virtfns, hex(dir, "sriov_totalvfs", 10),
                hex(dir, "sriov_numvfs", 10));
    }

    private static int hex(Path dir, String file) {
        return hex(dir, file, 16);
    }

    /** A number file: hex ("0x8086") or decimal; -1 when unreadable, 0 when absent. */
    private static int hex(Path dir, String file, int radix) {
        Optional<String> t = text(dir.resolve(file));
        if (t.isEmpty()) {
            return 0;
        }
        String s = t.get();
        try {
            return s.startsWith("0x") ? Integer.parseUnsignedInt(s.substring(2), 16) : Integer.parseInt(s, radix);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Optional<String> text(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IOException e) { // absent (no SR-IOV, an older kernel) or unreadable: the field is unknown
            return Optional.empty();
        }
    }

    private static String linkName(Path link) {
        try {
            return Files.isSymbolicLink(link) ? Files.readSymbolicLink(link).getFileName().toString() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static PciAddress linkedAddress(Path link) {
        String name = linkName(link);
        return name == null ? null : PciAddress.tryParse(name, 0, name.length());
    }

    private static int group(Path link) {
        String name = linkName(link);
        if (name == null) {
            return -1;
        }
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String vfioDevice(Path dir) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("vfio\\d+")).sorted().findFirst()
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }
}
