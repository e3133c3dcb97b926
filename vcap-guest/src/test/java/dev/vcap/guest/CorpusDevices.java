package dev.vcap.guest;

import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.pci.testing.Corpus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Every readable corpus device, read once per test JVM; skips the caller when the corpus is absent. */
final class CorpusDevices {

    private static List<DeviceImage> devices;

    private CorpusDevices() {
    }

    static synchronized List<DeviceImage> all() {
        Corpus.require();
        if (devices == null) {
            List<DeviceImage> out = new ArrayList<>();
            for (Path file : Corpus.dumps()) {
                try {
                    out.addAll(Dumps.readAll(file));
                } catch (DumpFormatException e) {
                    // the files without a device header line; vcap-pci's CorpusReadTest covers them
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            devices = List.copyOf(out);
        }
        return devices;
    }

    /** True when a guest kernel would see a function here (the ID dword is not an error response). */
    static boolean answers(DeviceImage d) {
        if (d.config().length() < 4) {
            return false;
        }
        int id = d.config().u32(0);
        return id != -1 && id != 0 && id != 0x0000_FFFF && id != 0xFFFF_0000;
    }
}
