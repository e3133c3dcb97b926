package dev.vcap.pci.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.occupancy.ByteRange;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Addresses and byte ranges are written by hand, not by {@code String.format} (every device of a
 * large input is named): the text is what the format strings they replaced print, lspci's.
 */
class PciAddressTest {

    @Test
    void addressesPrintAsLspciNamesThem() {
        assertThat(new PciAddress(0, 0x6a, 1, 0)).hasToString("0000:6a:01.0");
        assertThat(new PciAddress(0x10000, 0xff, 0x1f, 7)).hasToString("10000:ff:1f.7");
        assertThat(new PciAddress(0, 2, 0, 1).shortForm()).isEqualTo("02:00.1");
        assertThat(new PciAddress(1, 2, 0, 1).shortForm()).isEqualTo("0001:02:00.1");
        Random random = new Random(13);
        for (int i = 0; i < 10_000; i++) {
            PciAddress a = new PciAddress(random.nextInt(4) == 0 ? random.nextInt(PciAddress.MAX_DOMAIN + 1) : 0,
                    random.nextInt(0x100), random.nextInt(0x20), random.nextInt(8));
            assertThat(a.toString()).isEqualTo(String.format(Locale.ROOT, "%04x:%02x:%02x.%x", a.domain(), a.bus(),
                    a.device(), a.function()));
            assertThat(PciAddress.parse(a.toString())).isEqualTo(a);
        }
    }

    @Test
    void byteRangesPrintTheirFirstAndLastByte() {
        assertThat(ByteRange.ofLength(0x100, 4)).hasToString("0x100-0x103");
        assertThat(ByteRange.ofLength(0, 0x40)).hasToString("0x000-0x03f");
        assertThat(ByteRange.ofLength(0xff8, 8)).hasToString("0xff8-0xfff");
        for (int start = 0; start < 0x1000; start += 7) {
            ByteRange r = ByteRange.ofLength(start, 1 + start % 13);
            assertThat(r).hasToString(String.format("0x%03x-0x%03x", r.start(), r.end() - 1));
        }
    }
}
