package dev.vcap.pci.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.testing.Lspci;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** On a live Linux machine, the sysfs reader agrees with {@code lspci -vvv} device by device. */
class SysfsGoldenTest {

    @Test
    void liveDevicesMatchLspci() throws Exception {
        Lspci.require();
        assumeTrue(Files.isDirectory(SysfsReader.DEFAULT_ROOT), "no /sys/bus/pci/devices on this machine; skipping");
        List<DeviceImage> devices = new SysfsReader().readAll();
        assumeTrue(!devices.isEmpty(), "no PCI devices on this machine; skipping");
        assumeTrue(devices.stream().allMatch(d -> d.config().length() >= 256),
                "sysfs shows only the 64-byte header to non-root users; skipping");
        String output = Lspci.verboseLive();
        List<String> addresses = Lspci.addresses(output);
        List<List<Lspci.Line>> lines = Lspci.capabilities(output);
        Map<String, List<Lspci.Line>> expected = addresses.stream()
                .collect(Collectors.toMap(Function.identity(), a -> lines.get(addresses.indexOf(a))));
        for (DeviceImage d : devices) {
            List<Lspci.Line> want = expected.get(d.address().toString());
            assertThat(want).as("lspci lists " + d.address()).isNotNull();
            List<Capability> got = CapabilityChain.walk(d.config()).all().toList();
            assertThat(got).as(d.address().toString()).hasSameSizeAs(want);
            for (int i = 0; i < got.size(); i++) {
                Capability c = got.get(i);
                Lspci.Line l = want.get(i);
                assertThat(c.offset()).as(d.address() + " capability " + i).isEqualTo(l.offset());
                assertThat(c.space() == CapabilitySpace.EXTENDED).isEqualTo(l.extended());
                assertThat(Lspci.ids(l)).as(d.address() + " " + l.text()).contains(c.id());
            }
        }
    }
}
