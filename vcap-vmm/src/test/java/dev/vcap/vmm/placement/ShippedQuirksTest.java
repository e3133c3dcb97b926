package dev.vcap.vmm.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The shipped quirk table loads, and every entry cites a source and does something. */
class ShippedQuirksTest {

    @Test
    void theShippedTableLoads() {
        QuirkTable shipped = QuirkTable.shipped();
        assertThat(shipped.all()).hasSizeGreaterThan(10);
        Set<String> ids = new HashSet<>();
        for (Quirk q : shipped.all()) {
            assertThat(ids.add(q.id())).as("unique id %s", q.id()).isTrue();
            assertThat(q.source()).as(q.id()).isNotBlank();
            assertThat(q.forbidden().isEmpty() && q.preferred().isEmpty()).as(q.id()).isFalse();
        }
    }

    @Test
    void knownFamiliesMatch() {
        QuirkTable shipped = QuirkTable.shipped();
        assertThat(shipped.matching(new DeviceIdentity(0x19a2, 0x0710, 0x10df, 0xe602, 1, 0x020000)))
                .extracting(Quirk::id).contains("be2net-hidden-registers");
        assertThat(shipped.matching(new DeviceIdentity(0x8086, 0x46a6, 0x1028, 0x0b1a, 0x0c, 0x030000)))
                .extracting(Quirk::id).contains("intel-igd-registers");
        assertThat(shipped.matching(new DeviceIdentity(0x10de, 0x24a0, 0, 0, 0xa1, 0x030000)))
                .extracting(Quirk::id).contains("nvidia-gpudirect-clique");
    }
}
