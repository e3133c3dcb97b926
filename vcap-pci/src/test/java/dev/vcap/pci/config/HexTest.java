package dev.vcap.pci.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written hex prints what {@code String.format("%0Nx")} printed before it. */
class HexTest {

    @Test
    void paddedIsZeroPaddedLowerCaseAsFormatPrintsIt() {
        Random random = new Random(13);
        for (int i = 0; i < 10_000; i++) {
            long value = switch (i % 3) {
                case 0 -> random.nextInt(0x1000);
                case 1 -> random.nextInt() & 0xffff_ffffL;
                default -> random.nextInt(16);
            };
            int digits = 1 + random.nextInt(8);
            assertThat(Hex.padded(value, digits)).isEqualTo(String.format("%0" + digits + "x", value));
        }
    }
}
