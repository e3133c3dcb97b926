package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written columns print what {@code String.format} printed before them. */
class ColumnsTest {

    @Test
    void hexIsZeroPaddedLowerCaseAsFormatPrintsIt() {
        Random random = new Random(13);
        for (int i = 0; i < 10_000; i++) {
            long value = switch (i % 3) {
                case 0 -> random.nextInt(0x1000);
                case 1 -> random.nextInt() & 0xffff_ffffL;
                default -> random.nextInt(16);
            };
            int digits = 1 + random.nextInt(8);
            assertThat(Columns.hex(value, digits)).isEqualTo(String.format("%0" + digits + "x", value));
        }
    }

    @Test
    void leftPadsToTheWidthAndNeverCutsAsFormatDoes() {
        for (String text : new String[] {"", "v1", "standard", "extended", "0x0010", "a longer text than the width"}) {
            for (int width = 1; width <= 12; width++) {
                assertThat(Columns.left(text, width)).isEqualTo(String.format("%-" + width + "s", text));
            }
        }
    }
}
