package dev.vcap.vmm.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.pci.occupancy.ByteRange;
import org.junit.jupiter.api.Test;

class ByteRangesTest {

    @Test
    void parsesInclusiveRangesInHexOrDecimal() {
        assertThat(ByteRanges.parse("0xd00-0xdff, 0xf00-0xfff,256")).containsExactly(new ByteRange(0xD00, 0xE00),
                new ByteRange(0xF00, 0x1000), new ByteRange(0x100, 0x101));
    }

    @Test
    void eachMistakeIsNamed() {
        assertThatThrownBy(() -> ByteRanges.parse("0xd00-0xcff")).hasMessage(
                "'0xd00-0xcff' ends before it starts; expected START-LAST with START <= LAST");
        assertThatThrownBy(() -> ByteRanges.parse("0xf00-0x1000")).hasMessage(
                "'0xf00-0x1000': 0x1000 is outside config space (0x000-0xfff)");
        assertThatThrownBy(() -> ByteRanges.parse("a-b")).hasMessage("'a-b': 'a' is not a number; expected 0x-hex or decimal");
        assertThatThrownBy(() -> ByteRanges.parse("1-2-3")).hasMessage(
                "'1-2-3' is not a range; expected START-LAST like 0xd00-0xdff");
        assertThatThrownBy(() -> ByteRanges.parse("")).isInstanceOf(IllegalArgumentException.class);
    }
}
