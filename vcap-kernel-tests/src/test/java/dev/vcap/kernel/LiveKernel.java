package dev.vcap.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Facts about the running kernel that the tests' expectations depend on. */
public final class LiveKernel {

    private LiveKernel() {
    }

    /** {@code /proc/sys/kernel/osrelease}, e.g. {@code 7.3.4-vfiolab}. */
    public static String release() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * True when the release is 6.15 or later: the kernels with VFIO_DEVICE_ATTACH_PASID and
     * IOMMU_HWPT_ALLOC_PASID. Only the tests' expectations use the version; vcap itself probes.
     */
    public static boolean hasPasidUapi() {
        String[] v = release().split("[.-]");
        int major = Integer.parseInt(v[0]);
        int minor = Integer.parseInt(v[1]);
        return major > 6 || major == 6 && minor >= 15;
    }

    /** Where the harness wants files the tests leave for the host side ({@code -Dvcap.kernel.results}). */
    public static Optional<Path> resultsDir() {
        String r = System.getProperty("vcap.kernel.results");
        return r == null ? Optional.empty() : Optional.of(Path.of(r));
    }
}
