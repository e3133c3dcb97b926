package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The hand-written columns print what {@code String.format} printed before them. */
class ColumnsTest {

    @Test
    void leftPadsToTheWidthAndNeverCutsAsFormatDoes() {
        for (String text : new String[] {"", "v1", "standard", "extended", "0x0010", "a longer text than the width"}) {
            for (int width = 1; width <= 12; width++) {
                assertThat(Columns.left(text, width)).isEqualTo(String.format("%-" + width + "s", text));
            }
        }
    }
}
