package dev.vcap.cli;

import dev.vcap.host.ConfigRegion;
import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.config.ConfigSpace;

/** The host's view of a dumped device's config space, as the VMM would read it. */
final class HostViews {

    private HostViews() {
    }

    static ConfigRegion of(ConfigSpace cs) {
        return new InMemoryConfigRegion(cs);
    }
}
