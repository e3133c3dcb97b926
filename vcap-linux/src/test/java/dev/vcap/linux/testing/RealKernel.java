package dev.vcap.linux.testing;

import dev.vcap.linux.LinuxHost;
import dev.vcap.linux.sysfs.PciFunction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What the real-kernel tests need: iommufd and at least one function bound to vfio-pci. On a machine
 * without them (a development machine, CI outside the guest) they skip, saying so; with
 * {@code -Dvcap.kernel.required=true} (the harness's guest) a missing piece fails instead.
 */
public final class RealKernel {

    private RealKernel() {
    }

    /** The vfio-pci functions of this machine, or a skip (a failure when required). */
    public static List<PciFunction> vfioFunctions() {
        check(Files.exists(Path.of("/dev/iommu")), "no /dev/iommu: this kernel has no iommufd; the real-kernel"
                + " tests run in the QEMU guest of kernel/vm.sh");
        List<PciFunction> functions = new LinuxHost().vfioFunctions();
        check(!functions.isEmpty(), "no PCI function is bound to vfio-pci on this machine");
        return functions;
    }

    /** The first vfio-pci function that has a vfio device file. */
    public static PciFunction cdevFunction() {
        PciFunction f = vfioFunctions().stream().filter(p -> p.vfioDevice() != null).findFirst().orElse(null);
        check(f != null, "no vfio-pci function has a vfio device file (no CONFIG_VFIO_DEVICE_CDEV)");
        return f;
    }

    public static void check(boolean condition, String why) {
        if (condition) {
            return;
        }
        if (Boolean.getBoolean("vcap.kernel.required")) {
            Assertions.fail(why);
        }
        Assumptions.abort(why);
    }
}
