package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's {@code ./vcap} decides whether to pass the ahead-of-time cache by the files'
 * times: run here in a tree of its own, with a stand-in JDK whose {@code java} prints its
 * arguments, so no build and no JVM is involved.
 */
class LauncherTest {

    private static final Path LAUNCHER = Path.of("..", "vcap");
    private static final Instant BUILT = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path root;

    Path jar;
    Path lib;
    Path cache;
    Path jdk;

    @BeforeEach
    void tree() throws IOException {
        Files.copy(LAUNCHER, root.resolve("vcap"));
        Path target = Files.createDirectories(root.resolve("vcap-cli/target/lib"));
        jar = Files.writeString(target.getParent().resolve("vcap-cli.jar"), "jar");
        lib = Files.writeString(target.resolve("dep.jar"), "dep");
        cache = Files.writeString(target.getParent().resolve("vcap.aot"), "cache");
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Files.writeString(Files.createDirectories(root.resolve("vcap-cli/src/main/java")).resolve("A.java"), "");
        jdk = Files.createDirectories(root.resolve("jdk/bin"));
        Files.writeString(jdk.getParent().resolve("release"), "JAVA_VERSION=\"25.0.3\"\n");
        Path java = Files.writeString(jdk.resolve("java"), "#!/bin/sh\necho \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Path p : new Path[] {root.resolve("pom.xml"), root.resolve("vcap-cli/src/main/java/A.java"),
            root.resolve("vcap-cli/src/main/java"), root.resolve("vcap-cli/src/main"), lib}) {
            Files.setLastModifiedTime(p, FileTime.from(BUILT.minusSeconds(60)));
        }
    }

    String launch() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("vcap").toString(), "--version")
                .redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", jdk.getParent().toString());
        pb.environment().remove("VCAP_JAVA_OPTS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    void times(Instant jarTime, Instant cacheTime) throws IOException {
        Files.setLastModifiedTime(jar, FileTime.from(jarTime));
        Files.setLastModifiedTime(cache, FileTime.from(cacheTime));
    }

    @Test
    void passesTheCacheWhenNoJarIsNewerEvenAtTheSameTime() throws Exception {
        times(BUILT, BUILT); // the touches after a build can give both one time
        assertThat(launch()).contains("-XX:AOTCache=" + cache).contains("-jar " + jar).endsWith("--version\n");
        times(BUILT, BUILT.plusSeconds(5));
        assertThat(launch()).contains("-XX:AOTCache=" + cache);
    }

    @Test
    void leavesOutACacheOlderThanTheJarOrALibraryJar() throws Exception {
        times(BUILT.plusSeconds(5), BUILT);
        assertThat(launch()).doesNotContain("AOTCache").contains("-jar " + jar);
        times(BUILT, BUILT);
        Files.setLastModifiedTime(lib, FileTime.from(BUILT.plusSeconds(5)));
        assertThat(launch()).doesNotContain("AOTCache");
    }
}
