package dev.vcap.linux.testing;

import dev.vcap.pci.config.PciAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A sysfs and /dev tree in a directory, laid out as Linux lays them out: functions live under
 * {@code sys/devices/pci0000:00/ROOTPORT/ADDRESS}, {@code sys/bus/pci/devices/ADDRESS} links there,
 * and {@code driver}, {@code iommu_group}, {@code physfn} and {@code virtfnN} are relative links.
 * Device files are plain files (an ioctl on one fails with ENOTTY, as on any non-device file).
 */
public final class FakeSysfs {

    private final Path root;

    public FakeSysfs(Path root) {
        this.root = root;
        mkdirs(sys().resolve("bus/pci/devices"));
        mkdirs(sys().resolve("bus/pci/drivers"));
        mkdirs(sys().resolve("kernel/iommu_groups"));
        mkdirs(dev());
    }

    public Path sys() {
        return root.resolve("sys");
    }

    public Path dev() {
        return root.resolve("dev");
    }

    /** Creates {@code dev/iommu} (a plain file). */
    public FakeSysfs iommufd() {
        write(dev().resolve("iommu"), new byte[0]);
        return this;
    }

    /** Creates {@code dev/vfio/vfio} (a plain file). */
    public FakeSysfs vfioContainer() {
        write(dev().resolve("vfio/vfio"), new byte[0]);
        return this;
    }

    /** A function behind root port {@code 00:04.0}. */
    public Function function(String address) {
        PciAddress a = PciAddress.parse(address);
        Path dir = sys().resolve("devices/pci0000:00/0000:00:04.0/" + a);
        mkdirs(dir);
        link(sys().resolve("bus/pci/devices/" + a), "../../../devices/pci0000:00/0000:00:04.0/" + a);
        Function f = new Function(a, dir);
        f.ids(0x8086, 0x10d3).subsystem(0x8086, 0x0000).classCode(0x020000);
        write(dir.resolve("driver_override"), "(null)\n".getBytes(StandardCharsets.US_ASCII));
        return f;
    }

    /** One function's directory. */
    public final class Function {
        private final PciAddress address;
        private final Path dir;

        private Function(PciAddress address, Path dir) {
            this.address = address;
            this.dir = dir;
        }

        public Path dir() {
            return dir;
        }

        public Function ids(int vendor, int device) {
            hex("vendor", vendor, 4);
            hex("device", device, 4);
            return this;
        }

        public Function subsystem(int vendor, int device) {
            hex("subsystem_vendor", vendor, 4);
            hex("subsystem_device", device, 4);
            return this;
        }

        public Function classCode(int code) {
            hex("class", code, 6);
            return this;
        }

        public Function config(byte[] bytes) {
            write(dir.resolve("config"), bytes);
            return this;
        }

        /** Binds a driver: the {@code driver} link and the driver's directory. */
        public Function driver(String name) {
            mkdirs(sys().resolve("bus/pci/drivers/" + name));
            link(dir.resolve("driver"), "../../../../bus/pci/drivers/" + name);
            return this;
        }

        public Function driverOverride(String name) {
            write(dir.resolve("driver_override"), (name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        public Function group(int group) {
            mkdirs(sys().resolve("kernel/iommu_groups/" + group));
            link(dir.resolve("iommu_group"), "../../../../kernel/iommu_groups/" + group);
            return this;
        }

        /** The vfio cdev: {@code vfio-dev/NAME} in sysfs and {@code dev/vfio/devices/NAME} (a plain file). */
        public Function vfio(String name) {
            mkdirs(dir.resolve("vfio-dev/" + name));
            write(dev().resolve("vfio/devices/" + name), new byte[0]);
            return this;
        }

        /** The legacy group file {@code dev/vfio/N} (a plain file). */
        public Function groupFile(int group) {
            write(dev().resolve("vfio/" + group), new byte[0]);
            return this;
        }

        public Function sriov(int total, int num) {
            write(dir.resolve("sriov_totalvfs"), (total + "\n").getBytes(StandardCharsets.US_ASCII));
            write(dir.resolve("sriov_numvfs"), (num + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        public Function physfn(String pf) {
            link(dir.resolve("physfn"), "../" + PciAddress.parse(pf));
            return this;
        }

        public Function virtfn(int i, String vf) {
            link(dir.resolve("virtfn" + i), "../" + PciAddress.parse(vf));
            return this;
        }

        public PciAddress address() {
            return address;
        }

        private void hex(String file, int value, int digits) {
            write(dir.resolve(file), String.format(Locale.ROOT, "0x%0" + digits + "x\n", value)
                    .getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void mkdirs(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path p, byte[] bytes) {
        try {
            Files.createDirectories(p.getParent());
            Files.write(p, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void link(Path link, String target) {
        try {
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of(target));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
