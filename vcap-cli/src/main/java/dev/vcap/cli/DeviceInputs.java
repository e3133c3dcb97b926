package dev.vcap.cli;

import dev.vcap.host.HostException;
import dev.vcap.linux.LinuxHost;
import dev.vcap.linux.LiveDevices;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.DeviceSource;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.pci.dump.Dumps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Command-line inputs that are dump files, directories of them, or live PCI functions named by address
 * ({@code 0000:03:00.0} or {@code 03:00.0}; a file of that name wins). A function vfio-pci owns is read
 * through its vfio config region, what a VMM sees (bound to iommufd, with IOMMU_GET_HW_INFO; the legacy
 * group API on kernels without the vfio cdev); any other function through sysfs.
 */
final class DeviceInputs {

    private DeviceInputs() {
    }

    /** One input. */
    sealed interface DeviceInput permits DumpFile, LiveFunction {
        /**
         * Its devices.
         *
         * @throws DumpFormatException for a malformed file, or a live function the host could not read
         *                             (named by address, with the kernel's errno)
         */
        DeviceSource open();

        /** {@link #open()}, telling {@code progress} the bytes read so far as reading goes. */
        default DeviceSource open(LongConsumer progress) {
            return open();
        }

        /** Bytes to read, for a progress bar: a file's size; 0 when unknown (a live function, a pipe). */
        default long size() {
            return 0;
        }
    }

    record DumpFile(Path path) implements DeviceInput {
        @Override
        public DeviceSource open() {
            return Dumps.open(path);
        }

        @Override
        public DeviceSource open(LongConsumer progress) {
            return Dumps.open(path, progress);
        }

        @Override
        public long size() {
            try {
                return Files.isRegularFile(path) ? Files.size(path) : 0;
            } catch (IOException e) {
                return 0; // opening it names the problem
            }
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    record LiveFunction(PciAddress address, LinuxHost host) implements DeviceInput {
        @Override
        public DeviceSource open() {
            LiveDevices.LiveDevice d;
            try {
                d = new LiveDevices(host).read(address);
            } catch (HostException e) {
                throw new DumpFormatException(address.toString(), 0, "cannot read this function: " + e.getMessage());
            }
            if (d.via() != LiveDevices.Via.SYSFS) {
                LiveViews.vfio(d.image(), d.hwInfo());
            }
            return DeviceSource.of(List.of(d.image()));
        }

        @Override
        public String toString() {
            return address.toString();
        }
    }

    /**
     * Each argument as inputs: existing paths as {@link Inputs#expand} expands them, PCI addresses as
     * functions of {@code host}.
     */
    static List<DeviceInput> expand(List<Path> args, LinuxHost host) {
        List<DeviceInput> out = new ArrayList<>();
        for (Path p : args) {
            PciAddress a = address(p);
            if (a != null && !Files.exists(p)) {
                out.add(new LiveFunction(a, host));
            } else {
                Inputs.expand(List.of(p)).forEach(f -> out.add(new DumpFile(f)));
            }
        }
        return out;
    }

    /** The PCI address an argument spells, or null. */
    static PciAddress address(Path p) {
        String s = p.toString();
        return PciAddress.tryParse(s, 0, s.length());
    }
}
