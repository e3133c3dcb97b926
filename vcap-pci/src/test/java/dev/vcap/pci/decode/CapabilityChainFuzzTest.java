package dev.vcap.pci.decode;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.Finding;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.occupancy.ByteRange;
import dev.vcap.pci.occupancy.OccupancyMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fuzzes {@link CapabilityChain#walk}, {@link OccupancyMap} and {@link Decoders} with arbitrary
 * images: the input's bytes are the image (cut to a multiple of 16, at most 4096; shorter inputs
 * padded to 16). Invariants: nothing throws on device data; the walk terminates (while fuzzing,
 * within the per-input timeout fuzz/run.sh gives libFuzzer); each capability
 * appears once per offset; every finding's offset lies in config space; no gap overlaps a
 * capability's owned extent, gaps are disjoint, ascending and inside the captured bytes; suspects
 * lie inside gaps; every decoded field of a capability of known length lies inside it.
 *
 * <p>Lives in the decode package to share {@link DecodeRobustnessTest}'s checks. Regression
 * inputs: {@code src/test/resources/dev/vcap/pci/decode/CapabilityChainFuzzTestInputs/walk/}.
 */
class CapabilityChainFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void walk(byte[] data) {
        int length = Math.clamp(data.length / ConfigSpace.LINE_SIZE * ConfigSpace.LINE_SIZE, ConfigSpace.LINE_SIZE,
                ConfigSpace.EXTENDED_SIZE);
        ConfigSpace cs = ConfigSpace.wrap(Arrays.copyOf(data, length));
        ConfigSpace before = cs.copy();

        CapabilityChain chain = CapabilityChain.walk(cs);
        for (CapabilitySpace space : CapabilitySpace.values()) {
            Set<Integer> offsets = new HashSet<>();
            for (Capability c : chain.list(space)) {
                assertThat(offsets.add(c.offset())).as("%s listed twice", c).isTrue();
                assertThat(c.space()).isEqualTo(space);
                assertThat(c.length()).as("%s", c).isPositive();
                if (space == CapabilitySpace.STANDARD) {
                    assertThat(c.offset()).isBetween(0, ConfigSpace.CONVENTIONAL_SIZE - 4);
                } else {
                    assertThat(c.offset()).isBetween(ConfigSpace.CONVENTIONAL_SIZE, ConfigSpace.EXTENDED_SIZE - 4);
                }
                assertThat(cs.captured(c.offset(), 4)).as("%s header captured", c).isTrue();
            }
        }
        for (Finding f : chain.findings()) {
            assertThat(f.offset()).as("%s", f).isBetween(-1, ConfigSpace.EXTENDED_SIZE);
            assertThat(f.toString()).isNotBlank();
        }

        OccupancyMap map = OccupancyMap.of(cs, chain);
        List<ByteRange> gaps = map.gaps();
        int previousEnd = -1;
        for (ByteRange g : gaps) {
            assertThat(g.length()).isPositive();
            assertThat(g.start()).as("gaps ascending and disjoint: %s", gaps).isGreaterThanOrEqualTo(previousEnd);
            assertThat(g.start()).isGreaterThanOrEqualTo(ConfigSpace.HEADER_SIZE);
            assertThat(g.end()).isLessThanOrEqualTo(cs.length());
            assertThat(g.start() < ConfigSpace.CONVENTIONAL_SIZE).as("gap %s crosses 0x100", g)
                    .isEqualTo(g.end() <= ConfigSpace.CONVENTIONAL_SIZE);
            previousEnd = g.end();
            for (int b = g.start(); b < g.end(); b++) {
                assertThat(map.isGap(b)).isTrue();
                assertThat(map.capabilityAt(b)).isNull();
            }
        }
        boolean extendedList = chain.isPciExpress() || chain.has(StandardCapability.PCIX);
        for (Capability c : chain.all().toList()) {
            boolean standard = c.space() == CapabilitySpace.STANDARD;
            if (!standard && !extendedList) {
                continue;
            }
            int limit = Math.min(cs.length(), standard ? ConfigSpace.CONVENTIONAL_SIZE : ConfigSpace.EXTENDED_SIZE);
            ByteRange owned = new ByteRange(Math.min(c.offset(), limit), Math.min(c.end(), limit));
            for (ByteRange g : gaps) {
                assertThat(g.overlaps(owned)).as("gap %s overlaps %s", g, c).isFalse();
            }
            for (int b = owned.start(); b < owned.end(); b++) {
                assertThat(map.isGap(b)).as("byte 0x%x of %s is a gap", b, c).isFalse();
            }
        }
        assertThat(map.gapBytes()).isEqualTo(gaps.stream().mapToInt(ByteRange::length).sum());
        for (ByteRange s : map.nonZeroInGaps()) {
            assertThat(map.isGap(s)).as("suspect %s inside a gap", s).isTrue();
        }

        Decoders.header(cs).ifPresent(DecodeRobustnessTest::exercise);
        List<String> problems = new ArrayList<>();
        for (Capability c : chain.all().toList()) {
            Decoders.view(cs, c, chain.traits()).ifPresent(v -> {
                DecodeRobustnessTest.exercise(v);
                DecodeRobustnessTest.assertInsideStructure(v, c, problems, "fuzz");
            });
            Decoders.view(cs, c);
        }
        assertThat(problems).as("fields outside their structure").isEmpty();
        assertThat(Decoders.views(cs, chain)).hasSizeLessThanOrEqualTo((int) chain.all().count());
        assertThat(cs).as("walking and decoding never change the image").isEqualTo(before);
    }
}
