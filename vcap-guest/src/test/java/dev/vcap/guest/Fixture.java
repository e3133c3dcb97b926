package dev.vcap.guest;

import dev.vcap.pci.config.ConfigSpace;

/** A probed guest over an image, with the port's record cleared after probe. */
record Fixture(InMemoryConfigPort memory, RecordingConfigPort port, GuestPciDev dev) {

    static Fixture of(ConfigSpace cs) {
        return of(cs, GuestTopology.behindRootPort());
    }

    static Fixture of(ConfigSpace cs, GuestTopology topology) {
        InMemoryConfigPort memory = new InMemoryConfigPort(cs);
        RecordingConfigPort port = new RecordingConfigPort(memory);
        GuestPciDev dev = GuestPciDev.probe(port, topology);
        port.clear();
        return new Fixture(memory, port, dev);
    }

    ConfigSpace cs() {
        return memory.config();
    }
}
