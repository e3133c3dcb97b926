package dev.vcap.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.linux.testing.FakeSysfs;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.LspciTextWriter;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a user gets it: the archive unpacked and run with no JDK on the PATH (this
 * machine's default {@code java} is 17; vcap needs 25), every command on the bundled runtime, the
 * man pages and completion it carries; and the Debian package installed with apt-get, used from
 * the PATH, and removed leaving nothing behind (as root with apt-get; skipped with a message
 * elsewhere).
 */
class DistIT {

    static final Path TARGET = Path.of(System.getProperty("vcap.dist.dir", "target"));
    static final String VERSION = System.getProperty("vcap.dist.version", "0.1.0-SNAPSHOT");
    static final Path ROOT = Path.of(System.getProperty("vcap.root", ".."));
    /** The modular jars the runtime is linked from. */
    static final Path DEPS = TARGET.resolve("deps");
    /** The PATH of a machine without a JDK of the right version: the system's directories only. */
    static final String SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";

    @TempDir
    static Path tmp;

    static Path home;
    static Path dump;

    record Run(int exitCode, String out, String err) {
    }

    static Run run(Path dir, Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        var err = new java.io.ByteArrayOutputStream();
        Thread drain = Thread.ofVirtual().start(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        drain.join();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Map<String, String> env(String path) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", path);
        env.put("HOME", tmp.toString());
        env.put("LANG", "C.UTF-8");
        return env;
    }

    /** bin/vcap with the system PATH and no JAVA_HOME. */
    static Run vcap(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin").resolve("vcap").toString()));
        command.addAll(List.of(args));
        Run r = run(tmp, env(SYSTEM_PATH), command);
        assertThat(r.err()).as("stderr of vcap %s", String.join(" ", args)).doesNotContain("Exception");
        return r;
    }

    @BeforeAll
    static void unpack() throws Exception {
        Path archive;
        try (Stream<Path> files = Files.list(TARGET)) {
            archive = files.filter(f -> f.getFileName().toString().matches("vcap-" + Pattern.quote(VERSION)
                    + "-linux-[a-z0-9_]+\\.tar\\.gz")).findFirst().orElseThrow(() -> new AssertionError(
                    "no vcap-" + VERSION + "-linux-*.tar.gz in " + TARGET + ": the package phase builds it"));
        }
        Path dir = Files.createDirectories(tmp.resolve("unpacked"));
        assertThat(run(dir, env(SYSTEM_PATH), List.of("tar", "-xzf", archive.toAbsolutePath().toString())).exitCode())
                .isZero();
        home = dir.resolve("vcap-" + VERSION);
        dump = tmp.resolve("dsa.lspci");
        try (OutputStream out = Files.newOutputStream(dump)) {
            new LspciTextWriter(out).write(new DeviceImage(new PciAddress(0, 0x6a, 1, 0), "Intel DSA",
                    ConfigSpaceBuilder.endpoint(0x8086, 0x0b25).classCode(0x088000)
                            .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                            .extended(0x100, ExtendedCapability.AER, 2)
                            .extended(0x150, ExtendedCapability.ATS, 1, (c, at) -> c.setU16(at + 4, 0x20))
                            .extended(0x160, ExtendedCapability.PASID, 1, (c, at) -> c.setU16(at + 4, 0x1404))
                            .build(), "dsa.lspci"));
        }
    }

    @Test
    void helpRunsWithoutAJdkOnThePath() throws Exception {
        Run systemJava = run(tmp, env(SYSTEM_PATH), List.of("sh", "-c", "java -version 2>&1 || echo no java"));
        Run help = vcap("--help");
        assertThat(help.exitCode()).as("bin/vcap --help with PATH=%s, where java is: %s", SYSTEM_PATH,
                systemJava.out().lines().findFirst().orElse("")).isZero();
        assertThat(help.out()).startsWith("Usage: vcap").contains("plan").contains("simulate");
        assertThat(vcap("--version").out()).contains("vcap " + VERSION).contains("Java 25");

        // a java on the PATH that cannot run anything: the launcher must not use it
        Path fake = Files.createDirectories(tmp.resolve("fake-jdk"));
        Path java = fake.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'the PATH java was used' >&2\nexit 97\n");
        java.toFile().setExecutable(true);
        Run r = run(tmp, env(fake + ":" + SYSTEM_PATH), List.of(home.resolve("bin/vcap").toString(), "--help"));
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    /**
     * The commands that reach every library and JDK module the image needs: JSON both ways (the
     * contract), YAML (a scenario), the XML-free VMM emitter, the simulated hosts. PackagedJarIT
     * runs every command from the same jars on the build's JDK.
     */
    @Test
    void theCommandsRunOnTheBundledRuntime() throws Exception {
        String d = dump.toString();
        assertThat(vcap("inspect", "--json", d).out()).startsWith("{\"devices\":[");
        Run plan = vcap("plan", d, "--pasid", "--pri", "--contract", "c.json");
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        Run admitted = vcap("check-migration", "c.json", d, "--json");
        assertThat(admitted.out()).as(admitted.err()).contains("\"admitted\":true");
        assertThat(vcap("plan", d, "--pasid", "--emit-vmm", "qemu").out())
                .contains("-device vfio-pci,host=0000:6a:01.0,iommufd=iommufd0,x-vpasid-cap-offset=0x");
        Path scenario = ROOT.resolve("scenarios");
        if (Files.isDirectory(scenario)) {
            try (Stream<Path> files = Files.list(scenario)) {
                Path first = files.filter(f -> f.toString().endsWith(".yaml")).sorted().findFirst().orElseThrow();
                Run yaml = vcap("simulate", "--scenario", first.toAbsolutePath().toString());
                assertThat(yaml.err()).doesNotContain("Exception");
                assertThat(yaml.out()).contains("verdict:");
            }
        }
    }

    /**
     * vcap's modules are linked into the runtime with what they require and nothing else: the
     * runtime's modules are those the roots resolve to over the JDK and the build's jars.
     */
    @Test
    void theRuntimeLinksVcapsModulesAndJustWhatTheyRequire() throws Exception {
        List<String> roots = Files.readAllLines(home.resolve("runtime/vcap-modules"));
        assertThat(roots).startsWith("dev.vcap.cli");
        Set<String> expected = Configuration.empty().resolve(ModuleFinder.ofSystem(), ModuleFinder.of(DEPS), roots)
                .modules().stream().map(ResolvedModule::name).collect(Collectors.toSet());
        assertThat(expected).contains("java.base", "dev.vcap.vmm", "com.fasterxml.jackson.databind");
        Run modules = run(tmp, env(SYSTEM_PATH), List.of(home.resolve("runtime/bin/java").toString(), "--list-modules"));
        assertThat(modules.out().lines().map(l -> l.replaceAll("@.*", "")).collect(Collectors.toSet()))
                .isEqualTo(expected);
        assertThat(home.resolve("lib")).as("no jars beside the runtime: everything is linked").doesNotExist();
    }

    @Test
    void theLauncherUsesTheRepositoryLaunchersJvmOptionsAndGrantsNativeAccessByModule() throws IOException {
        Pattern defaults = Pattern.compile("\\$\\{VCAP_JAVA_OPTS:-([^}]*)}");
        Matcher repo = defaults.matcher(Files.readString(ROOT.resolve("vcap")));
        String launcher = Files.readString(home.resolve("bin/vcap"));
        Matcher image = defaults.matcher(launcher);
        assertThat(repo.find()).as("./vcap has ${VCAP_JAVA_OPTS:-...}").isTrue();
        assertThat(image.find()).isTrue();
        assertThat(image.group(1)).isEqualTo(repo.group(1));

        ToolProvider jnativescan = ToolProvider.findFirst("jnativescan").orElseThrow();
        var out = new java.io.StringWriter();
        assertThat(jnativescan.run(new java.io.PrintWriter(out), new java.io.PrintWriter(System.err), "--module-path",
                DEPS.toString(), "--add-modules", "dev.vcap.cli", "--print-native-access")).isZero();
        assertThat(out.toString().strip()).contains("dev.vcap.linux");
        assertThat(launcher).contains(" --enable-native-access=" + out.toString().strip() + " ")
                .doesNotContain("ALL-UNNAMED").doesNotContain("@NATIVE_ACCESS@");
    }

    /**
     * The launcher starts the JVM from the image's ahead-of-time cache, and the cache is one the
     * bundled runtime accepts with the launcher's default options: {@code -XX:AOTMode=on} makes a
     * refused cache an error instead of a silent start without it.
     */
    @Test
    void theAheadOfTimeCacheIsOneTheBundledRuntimeAccepts() throws Exception {
        Path cache = home.resolve("runtime/lib/vcap.aot");
        assertThat(cache).isRegularFile();
        String launcher = Files.readString(home.resolve("bin/vcap"));
        assertThat(launcher).contains("\"-XX:AOTCache=$cache\"");
        Matcher defaults = Pattern.compile("\\$\\{VCAP_JAVA_OPTS:-([^}]*)}").matcher(launcher);
        assertThat(defaults.find()).isTrue();
        List<String> command = new ArrayList<>(List.of(home.resolve("runtime/bin/java").toString()));
        command.addAll(List.of(defaults.group(1).split(" ")));
        command.addAll(List.of("-XX:AOTCache=" + cache, "-XX:AOTMode=on", "--enable-native-access=dev.vcap.linux",
                "-m", "dev.vcap.cli", "--version"));
        Run version = run(tmp, env(SYSTEM_PATH), command);
        assertThat(version.exitCode()).as(version.err()).isZero();
        assertThat(version.out()).startsWith("vcap " + VERSION);
    }

    /**
     * With every module not granted by name refused ({@code --illegal-native-access=deny}), the
     * Linux commands still reach libc: an ioctl on a /dev/iommu that is a plain file answers ENOTTY.
     */
    @Test
    void theLinuxCommandsCallLibcWithTheLaunchersGrant() throws Exception {
        FakeSysfs fs = new FakeSysfs(tmp.resolve("host")).iommufd();
        fs.function("0000:01:00.0").driver("vfio-pci").group(7).vfio("vfio0");
        Map<String, String> e = env(SYSTEM_PATH);
        e.put("VCAP_JAVA_OPTS", "-XX:+UseSerialGC --illegal-native-access=deny");
        Run host = run(tmp, e, List.of(home.resolve("bin/vcap").toString(), "host", "--json", "--sys-root",
                fs.sys().toString(), "--dev-root", fs.dev().toString()));
        assertThat(host.out()).as(host.err()).contains("\"0000:01:00.0\"").contains("ENOTTY");
        assertThat(host.err()).isEmpty();
    }

    @Test
    void manPagesCompletionAndSchemasComeWithTheArchive() throws Exception {
        Path man1 = home.resolve("share/man/man1");
        assertThat(man1.resolve("vcap.1")).exists();
        assertThat(man1.resolve("vcap-plan.1")).exists();
        if (Files.isExecutable(Path.of("/usr/bin/man"))) {
            Map<String, String> e = env(SYSTEM_PATH);
            e.put("MANPATH", home.resolve("share/man").toString());
            e.put("MANWIDTH", "100");
            Run man = run(tmp, e, List.of("man", "vcap-plan"));
            assertThat(man.exitCode()).as(man.err()).isZero();
            assertThat(man.out().replaceAll(".\b", "")).contains("vcap-plan - Build a guest's config space");
        }
        Run complete = run(tmp, env(SYSTEM_PATH), List.of("bash", "-c", "source '"
                + home.resolve("share/bash-completion/completions/vcap") + "' && complete -p vcap"));
        assertThat(complete.out()).contains("-F _complete_vcap vcap");
        try (Stream<Path> schemas = Files.list(ROOT.resolve("docs/schema"))) {
            for (Path s : schemas.toList()) {
                assertThat(home.resolve("share/vcap/schema").resolve(s.getFileName())).hasSameTextualContentAs(s);
            }
        }
    }

    /** Paths of the package's files, as dpkg-deb lists them (./usr/bin/vcap becomes /usr/bin/vcap). */
    static List<Path> contents(Path deb) throws Exception {
        Run names = run(tmp, env(SYSTEM_PATH), List.of("sh", "-c", "dpkg-deb --fsys-tarfile '" + deb + "' | tar -t"));
        return names.out().lines().map(l -> l.replaceFirst("^\\.", "")).filter(l -> !l.isEmpty() && !l.equals("/"))
                .map(l -> Path.of(l.endsWith("/") && l.length() > 1 ? l.substring(0, l.length() - 1) : l)).toList();
    }

    @Test
    void theDebianPackageInstallsWithAptAndRemovesWithoutATrace() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "not root: skipping the install/remove test of the Debian package");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/apt-get")) && Files.isExecutable(Path.of(
                "/usr/bin/dpkg")), "no apt-get/dpkg here: skipping the install/remove test of the Debian package");
        Run installed = run(tmp, env(SYSTEM_PATH), List.of("dpkg-query", "-W", "-f=${Status}", "vcap"));
        Assumptions.assumeFalse(installed.out().contains("installed") && !installed.out().contains("not-installed"),
                "a vcap package is already installed on this machine; not replacing it");
        Path deb;
        try (Stream<Path> files = Files.list(TARGET)) {
            deb = files.filter(f -> f.getFileName().toString().matches("vcap_.*\\.deb")).findFirst()
                    .orElseThrow(() -> new AssertionError("no vcap_*.deb in " + TARGET));
        }
        List<Path> paths = contents(deb);
        Map<Path, Boolean> existedBefore = new LinkedHashMap<>();
        paths.forEach(p -> existedBefore.put(p, Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)));
        assertThat(existedBefore.get(Path.of("/usr/lib/vcap"))).as("/usr/lib/vcap before install").isFalse();

        Map<String, String> e = env(SYSTEM_PATH);
        e.put("DEBIAN_FRONTEND", "noninteractive");
        List<String> apt = List.of("apt-get", "-o", "DPkg::Lock::Timeout=300", "-y");
        try {
            List<String> install = new ArrayList<>(apt);
            install.addAll(List.of("install", "./" + deb.getFileName()));
            Run r = run(deb.getParent(), e, install);
            assertThat(r.exitCode()).as("apt-get install: %s%s", r.out(), r.err()).isZero();

            Run which = run(tmp, env(SYSTEM_PATH), List.of("sh", "-c", "command -v vcap && vcap --help"));
            assertThat(which.exitCode()).as(which.err()).isZero();
            assertThat(which.out()).startsWith("/usr/bin/vcap\nUsage: vcap");
            Run man = run(tmp, env(SYSTEM_PATH), List.of("man", "-w", "vcap-plan"));
            assertThat(man.out().strip()).isEqualTo("/usr/share/man/man1/vcap-plan.1.gz");
            Run complete = run(tmp, env(SYSTEM_PATH), List.of("bash", "-c",
                    "source /usr/share/bash-completion/completions/vcap && complete -p vcap"));
            assertThat(complete.out()).contains("-F _complete_vcap vcap");
            assertThat(Path.of("/usr/share/doc/vcap/schema/plan.schema.json")).exists();
        } finally {
            List<String> purge = new ArrayList<>(apt);
            purge.addAll(List.of("purge", "vcap"));
            Run r = run(tmp, e, purge);
            assertThat(r.exitCode()).as("apt-get purge: %s%s", r.out(), r.err()).isZero();
        }
        List<Path> left = existedBefore.entrySet().stream().filter(x -> !x.getValue())
                .map(Map.Entry::getKey).filter(p -> Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
        assertThat(left).as("paths the package created that are still there after purge").isEmpty();
    }
}
