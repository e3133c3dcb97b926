package dev.vcap.vmm.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.vmm.config.VirtualCapability;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.config.VmmEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Synthesized PASID, PRI and ATS: registers, write semantics, events, and nothing reaching hardware. */
class SynthesizersTest {

    final InMemoryConfigRegion backing = new InMemoryConfigRegion(ConfigSpaceBuilder.endpoint(0x8086, 0x0b25)
            .pcie(0x40, DeviceTraits.PCIE_ENDPOINT).build());
    final VirtualConfigSpace vcs = VirtualConfigSpace.over(backing);
    final List<VmmEvent> events = new ArrayList<>();

    @BeforeEach
    void listen() {
        vcs.addListener(events::add);
    }

    @Test
    void pasidWidthIsTheSmallerAndFeaturesNeedBothSides() {
        PasidSupport host = new PasidSupport(20, true, true);
        assertThat(host.intersect(new PasidSupport(16, true, false))).isEqualTo(new PasidSupport(16, true, false));
        assertThat(new PasidSupport(8, false, true).intersect(host)).isEqualTo(new PasidSupport(8, false, true));
        assertThat(host.intersect(PasidSupport.NONE)).isEqualTo(PasidSupport.NONE);
        assertThat(PasidSupport.NONE.intersect(host).supported()).isFalse();
        assertThatThrownBy(() -> new PasidSupport(21, false, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Synthesizers.pasid(PasidSupport.NONE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pasidRegistersAndControlEvents() {
        VirtualCapability pasid = vcs.editor().insert(0xFF8, Synthesizers.pasid(new PasidSupport(16, true, false)));
        int at = pasid.offset();
        assertThat(vcs.read(at + 4, 2)).isEqualTo(16 << 8 | 1 << 1);
        vcs.write(at + 4, 2, 0xFFFF); // Capability is read-only
        assertThat(vcs.read(at + 4, 2)).isEqualTo(16 << 8 | 1 << 1);
        vcs.write(at + 6, 2, 0xFFFF);
        assertThat(vcs.read(at + 6, 2)).isEqualTo(0x07);
        vcs.write(at + 6, 2, 0x0001);
        assertThat(events).containsExactly(new VmmEvent.PasidControl(at, true, true, true),
                new VmmEvent.PasidControl(at, true, false, false));
        vcs.write(at + 6, 2, 0x0001); // no change, no event
        assertThat(events).hasSize(2);
        assertThat(backing.writes()).isZero();
    }

    @Test
    void priIsStoppedAtResetAndStoppedFollowsEnable() {
        VirtualCapability pri = vcs.editor().insert(0x200, Synthesizers.pri(512, true));
        int at = pri.offset();
        assertThat(vcs.read(at + Synthesizers.PRI_STATUS, 2)).isEqualTo(Synthesizers.PRI_STOPPED
                | Synthesizers.PRI_PASID_REQUIRED);
        assertThat(vcs.read(at + Synthesizers.PRI_CAPACITY, 4)).isEqualTo(512);
        vcs.write(at + Synthesizers.PRI_CONTROL, 2, Synthesizers.PRI_ENABLE);
        assertThat(vcs.read(at + Synthesizers.PRI_STATUS, 2) & Synthesizers.PRI_STOPPED).isZero();
        vcs.write(at + Synthesizers.PRI_CONTROL, 2, 0);
        assertThat(vcs.read(at + Synthesizers.PRI_STATUS, 2) & Synthesizers.PRI_STOPPED).isNotZero();
        assertThat(events).containsExactly(new VmmEvent.PriControl(at, true), new VmmEvent.PriControl(at, false));
        assertThat(backing.writes()).isZero();
    }

    @Test
    void priResetReadsBackZeroAndIsAnEvent() {
        int at = vcs.editor().insert(0x200, Synthesizers.pri(32, false)).offset();
        vcs.write(at + Synthesizers.PRI_CONTROL, 2, Synthesizers.PRI_RESET);
        assertThat(vcs.read(at + Synthesizers.PRI_CONTROL, 2)).isZero();
        assertThat(events).containsExactly(new VmmEvent.PriReset(at));
        // with Enable set, Reset does nothing (PCIe: it acts when Enable is clear or cleared by the same write)
        vcs.write(at + Synthesizers.PRI_CONTROL, 2, Synthesizers.PRI_ENABLE);
        events.clear();
        vcs.write(at + Synthesizers.PRI_CONTROL, 2, Synthesizers.PRI_ENABLE | Synthesizers.PRI_RESET);
        assertThat(vcs.read(at + Synthesizers.PRI_CONTROL, 2)).isEqualTo(Synthesizers.PRI_ENABLE);
        assertThat(events).isEmpty();
        vcs.write(at + Synthesizers.PRI_CONTROL, 2, Synthesizers.PRI_RESET); // disables and resets in one write
        assertThat(events).containsExactly(new VmmEvent.PriReset(at), new VmmEvent.PriControl(at, false));
    }

    @Test
    void priStatusErrorBitsAreWriteOneToClearAndAllocationIsWritable() {
        int at = vcs.editor().insert(0x200, Synthesizers.pri(32, false)).offset();
        vcs.write(at + Synthesizers.PRI_ALLOCATION, 4, 24);
        assertThat(vcs.read(at + Synthesizers.PRI_ALLOCATION, 4)).isEqualTo(24);
        assertThat(events).containsExactly(new VmmEvent.PriAllocation(at, 24));
        vcs.write(at + Synthesizers.PRI_CAPACITY, 4, 1); // read-only
        assertThat(vcs.read(at + Synthesizers.PRI_CAPACITY, 4)).isEqualTo(32);
        vcs.write(at + Synthesizers.PRI_STATUS, 2, 0xFFFF); // clears the RW1C bits (none set), Stopped stays
        assertThat(vcs.read(at + Synthesizers.PRI_STATUS, 2)).isEqualTo(Synthesizers.PRI_STOPPED);
        assertThat(vcs.masks(at + Synthesizers.PRI_STATUS).w1c()).isEqualTo(0x03);
    }

    @Test
    void atsControlMaskIsStuAndEnable() {
        int at = vcs.editor().insert(0x300, Synthesizers.ats(0, true, false)).offset();
        assertThat(vcs.read(at + Synthesizers.ATS_CAPABILITY, 2)).isEqualTo(Synthesizers.ATS_PAGE_ALIGNED);
        vcs.write(at + Synthesizers.ATS_CONTROL, 2, 0xFFFF);
        assertThat(vcs.read(at + Synthesizers.ATS_CONTROL, 2)).isEqualTo(0x800F);
        vcs.write(at + Synthesizers.ATS_CONTROL, 2, 0x8000 | 3);
        assertThat(events).containsExactly(new VmmEvent.AtsControl(at, true, 0xF), new VmmEvent.AtsControl(at, true, 3));
        assertThat(backing.writes()).isZero();
    }

    @Test
    void resetRestoresTheSynthesizedRegisters() {
        int pasid = vcs.editor().insert(0xFF8, Synthesizers.pasid(new PasidSupport(20, false, false))).offset();
        int pri = vcs.editor().insert(0x200, Synthesizers.pri(32, false)).offset();
        vcs.write(pasid + 6, 2, 1);
        vcs.write(pri + 4, 2, 1);
        vcs.write(pri + 0xC, 4, 7);
        vcs.resetServed();
        assertThat(vcs.read(pasid + 6, 2)).isZero();
        assertThat(vcs.read(pri + 4, 2)).isZero();
        assertThat(vcs.read(pri + 6, 2)).isEqualTo(Synthesizers.PRI_STOPPED);
        assertThat(vcs.read(pri + 0xC, 4)).isZero();
        assertThat(vcs.read(pasid, 4) & 0xFFFF).isEqualTo(0x1B); // headers survive
    }
}
