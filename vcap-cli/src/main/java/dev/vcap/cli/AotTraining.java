package dev.vcap.cli;

import dev.vcap.cli.simulate.BuiltinDevices;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.LspciTextWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The training run of vcap's ahead-of-time cache (JDK 25: JEP 483, 514, 515), made when the build
 * packages the CLI:
 *
 * <pre>
 * java -XX:AOTCacheOutput=target/vcap.aot [the launcher's options] -cp target/vcap-cli.jar dev.vcap.cli.AotTraining
 * </pre>
 *
 * It runs, in one JVM, what users run most — {@code --help}, {@code inspect}, {@code plan},
 * {@code survey}, {@code pool} and {@code simulate} — on the built-in devices, written as an
 * {@code lspci -xxxx} file in a temporary directory, so that the classes they load are stored
 * parsed and linked and the methods they use arrive profiled: a later run starts with them. Output
 * is discarded; the directory is removed. Not a command: the launchers pass the cache with
 * {@code -XX:AOTCache}, and the JVM uses it only with the jars and JDK it was made with.
 */
public final class AotTraining {

    private AotTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("vcap-aot-training");
        try {
            Path dump = dir.resolve("devices.lspci");
            write(dump);
            String d = dump.toString();
            run("--help");
            run("--version");
            run("inspect", "--help");
            run("plan", "--help");
            run("inspect", d);
            run("inspect", "--json", d);
            run("inspect", "--map", "--decode", d);
            run("plan", d, "--pasid", "--pri", "--ats");
            run("plan", d, "--pasid", "--pri", "--json");
            run("plan", d, "--pasid", "--compat", "qemu");
            run("survey", d);
            run("survey", "--json", d);
            run("pool", d, "--pasid", "--pri", "--ats");
            run("simulate");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Each built-in device several times, at addresses of their own: plan and survey share their classes. */
    private static void write(Path file) throws IOException {
        List<DeviceImage> devices = new ArrayList<>();
        for (int copy = 0; copy < 8; copy++) {
            for (var e : new TreeMap<>(BuiltinDevices.ALL).entrySet()) {
                ConfigSpace cs = e.getValue().get();
                devices.add(new DeviceImage(new PciAddress(0, 1 + devices.size(), 0, 0), e.getKey(), cs, file.toString()));
            }
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            LspciTextWriter writer = new LspciTextWriter(out);
            for (DeviceImage device : devices) {
                writer.write(device);
            }
        }
    }

    private static void run(String... args) {
        Main.run(args, OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
    }
}
