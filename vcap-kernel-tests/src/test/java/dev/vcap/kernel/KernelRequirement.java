package dev.vcap.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What the real-kernel tests need of the machine they run on. On a development machine without
 * iommufd they skip, saying so; inside the harness's guest ({@code -Dvcap.kernel.required=true},
 * set by kernel/guest-suite.sh) a missing piece is a failure, never a silent skip.
 */
public final class KernelRequirement {

    /** {@code /dev/iommu}: the kernel has iommufd. */
    public static final Path IOMMU = Path.of("/dev/iommu");

    private KernelRequirement() {
    }

    /** True when running inside the harness, where nothing may be missing. */
    public static boolean required() {
        return Boolean.getBoolean("vcap.kernel.required");
    }

    /** Skips (or, in the harness, fails) unless iommufd and at least one vfio-pci function are here. */
    public static void assumeKernel() {
        check(Files.exists(IOMMU), "no /dev/iommu on this machine: the real-kernel tests run inside the"
                + " QEMU guest of kernel/harness.sh");
        check(!VfioFunction.vfioBound().isEmpty(), "no function is bound to vfio-pci on this machine");
    }

    /** Skips (or, in the harness, fails) unless {@code condition} holds. */
    public static void check(boolean condition, String why) {
        if (condition) {
            return;
        }
        if (required()) {
            Assertions.fail(why);
        }
        Assumptions.abort(why);
    }
}
