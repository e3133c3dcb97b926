package dev.vcap.pci.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Equality and hashing: {@code plan} and {@code survey} find a device's class by its bytes
 * ({@code DeviceClasses}), so equal bytes must hash alike and a change anywhere must count.
 */
class ConfigSpaceTest {

    @Test
    void equalBytesAreEqualAndHashAlikeAtEveryLength() {
        Random random = new Random(17);
        for (int length = ConfigSpace.LINE_SIZE; length <= ConfigSpace.EXTENDED_SIZE; length += ConfigSpace.LINE_SIZE) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            ConfigSpace a = ConfigSpace.copyOf(bytes);
            ConfigSpace b = ConfigSpace.copyOf(bytes);
            assertThat(a).isEqualTo(b);
            assertThat(a.hashCode()).isEqualTo(b.hashCode());
        }
    }

    @Test
    void everyBitOfEveryByteChangesTheHash() {
        Random random = new Random(29);
        byte[] bytes = new byte[ConfigSpace.EXTENDED_SIZE];
        random.nextBytes(bytes);
        int hash = ConfigSpace.copyOf(bytes).hashCode();
        for (int offset = 0; offset < bytes.length; offset++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] changed = bytes.clone();
                changed[offset] ^= (byte) (1 << bit);
                ConfigSpace other = ConfigSpace.copyOf(changed);
                assertThat(other).as("bit %d of 0x%03x", bit, offset).isNotEqualTo(ConfigSpace.copyOf(bytes));
                assertThat(other.hashCode()).as("bit %d of 0x%03x", bit, offset).isNotEqualTo(hash);
            }
        }
    }

    @Test
    void imagesOfOtherLengthsDifferEvenWhenTheirBytesAreZero() {
        ConfigSpace conventional = ConfigSpace.allocate(ConfigSpace.CONVENTIONAL_SIZE);
        ConfigSpace extended = ConfigSpace.allocate(ConfigSpace.EXTENDED_SIZE);
        assertThat(conventional).isNotEqualTo(extended);
        assertThat(conventional.hashCode()).isNotEqualTo(extended.hashCode());
    }
}
