package dev.vcap.cli;

import dev.vcap.cli.args.OptionSet;
import dev.vcap.linux.LinuxHost;
import java.nio.file.Path;

/**
 * Where a command finds the live machine: sysfs and /dev. Hidden options, for tests that run the
 * commands over a sysfs tree built in a temporary directory.
 */
final class LiveRoots {

    static final OptionSet.Group<LiveRoots> OPTIONS = OptionSet.<LiveRoots>group()
            .hidden("--sys-root", "DIR", (r, v) -> r.sysRoot = Path.of(v))
            .hidden("--dev-root", "DIR", (r, v) -> r.devRoot = Path.of(v));

    Path sysRoot = Path.of("/sys");

    Path devRoot = Path.of("/dev");

    LinuxHost host() {
        return new LinuxHost(sysRoot, devRoot);
    }
}
