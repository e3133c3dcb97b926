package dev.vcap.cli;

import dev.vcap.linux.LinuxHost;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a command finds the live machine: sysfs and /dev. Hidden options, for tests that run the
 * commands over a sysfs tree built in a temporary directory.
 */
final class LiveRoots {

    @Option(names = "--sys-root", paramLabel = "DIR", hidden = true, defaultValue = "/sys")
    Path sysRoot;

    @Option(names = "--dev-root", paramLabel = "DIR", hidden = true, defaultValue = "/dev")
    Path devRoot;

    LinuxHost host() {
        return new LinuxHost(sysRoot, devRoot);
    }
}
