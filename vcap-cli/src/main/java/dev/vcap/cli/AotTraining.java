package dev.vcap.cli;

import dev.vcap.cli.simulate.BuiltinDevices;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.DeviceSource;
import dev.vcap.pci.dump.Dumps;
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
 * java -XX:AOTCacheOutput=target/vcap.aot [the launcher's options] -cp target/vcap-cli.jar dev.vcap.cli.AotTraining [DUMPS_DIR]
 * </pre>
 *
 * It runs, in one JVM, what users run most on large inputs — {@code --help}, {@code inspect},
 * {@code plan} and {@code survey}, text and JSON — on {@link #DEVICES} devices written as one
 * {@code lspci -xxxx} file in a temporary directory, so that the classes they load are stored
 * parsed and linked and the methods they use arrive profiled as a large input runs them: a later
 * run starts with the classes and compiles its loops from the profiles at once. The devices cycle
 * through the 4 KiB assignable functions of {@code DUMPS_DIR} (the shared corpus, when the build
 * finds it) and the built-in devices: a cache trained on thousands of real devices serves a large
 * input markedly faster than one trained on one device or on the two built-ins alone
 * (docs/PERFORMANCE.md). {@code pool} is left out: it would add Jackson's databinding (about 320
 * classes) to the cache, and every class in it is loaded at every start, which took 10-25 ms from
 * {@code --help} and {@code inspect} of one device for a 7% gain of {@code pool} on 20,000 devices
 * (within the noise). Output is discarded; the directory is removed. Not a command: both
 * launchers pass the cache with {@code -XX:AOTCache} — {@code ./vcap} the one {@code mvn package}
 * makes from the jars, the distribution's {@code bin/vcap} the one vcap-dist's {@code image.sh} makes
 * with the linked runtime ({@code -m dev.vcap.cli/dev.vcap.cli.AotTraining}) — and the JVM uses a
 * cache only with the classes and JDK it was made with.
 */
public final class AotTraining {

    /** Devices in the training input: enough that the loops of a large input are trained as they run there. */
    static final int DEVICES = 2000;

    /** Distinct functions taken from the dumps directory at most. */
    static final int DISTINCT = 256;

    private AotTraining() {
    }

    public static void main(String[] args) throws IOException {
        List<DeviceImage> kinds = new ArrayList<>();
        if (args.length > 0 && Files.isDirectory(Path.of(args[0]))) {
            kinds.addAll(assignable(Path.of(args[0])));
        }
        for (var e : new TreeMap<>(BuiltinDevices.ALL).entrySet()) {
            kinds.add(new DeviceImage(new PciAddress(0, 0, 0, 0), e.getKey(), e.getValue().get(), e.getKey()));
        }
        Path dir = Files.createTempDirectory("vcap-aot-training");
        try {
            Path dump = dir.resolve("devices.lspci");
            write(dump, kinds);
            String d = dump.toString();
            run("--help");
            run("--version");
            run("inspect", "--help");
            run("plan", "--help");
            run("inspect", d);
            run("inspect", "--json", d);
            run("plan", d, "--pasid", "--pri", "--ats");
            run("plan", d, "--pasid", "--pri", "--json");
            run("survey", d);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /**
     * The complete 4 KiB functions of header type 0 (what vfio-pci binds) in the lspci files of
     * {@code dir}, by file name, at most {@link #DISTINCT}; files that do not read are left out.
     */
    private static List<DeviceImage> assignable(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".lspci")).sorted().toList();
        }
        List<DeviceImage> found = new ArrayList<>();
        for (Path f : files) {
            try (DeviceSource source = Dumps.open(f)) {
                while (source.hasNext() && found.size() < DISTINCT) {
                    DeviceImage d = source.next();
                    ConfigSpace cs = d.config();
                    if (cs.length() == ConfigSpace.EXTENDED_SIZE && (cs.u8(Header.HEADER_TYPE) & Header.HEADER_TYPE_MASK) == 0) {
                        found.add(d);
                    }
                }
            } catch (RuntimeException e) {
                // a damaged dump trains nothing; the others do
            }
        }
        return found;
    }

    /** {@link #DEVICES} devices cycling through {@code kinds}, each at an address of its own. */
    private static void write(Path file, List<DeviceImage> kinds) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            LspciTextWriter writer = new LspciTextWriter(out);
            for (int n = 1; n <= DEVICES; n++) {
                DeviceImage kind = kinds.get(n % kinds.size());
                PciAddress at = new PciAddress(n >> 13, n >> 5 & 0xff, n & 0x1f, 0);
                writer.write(new DeviceImage(at, kind.description(), kind.config(), file.toString()));
            }
        }
    }

    private static void run(String... args) {
        Main.run(args, OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
    }
}
