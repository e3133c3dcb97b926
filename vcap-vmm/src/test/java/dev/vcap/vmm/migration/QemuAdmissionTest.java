package dev.vcap.vmm.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.placement.PlacementEngine;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.QuirkTable;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * QEMU 11.0's migration rule (hw/pci/pci.c get_pci_config_device: the destination's own masks,
 * over the whole config space) beside vcap's, one case per row of docs/CONTRACT.md's table: the
 * same device and destination, admitted by one rule and refused by the other.
 */
class QemuAdmissionTest {

    /** The fixture model with a Device Serial Number, whose serial QEMU checks and vcap does not. */
    static ConfigSpace device(Consumer<ConfigSpace> change) {
        ConfigSpace cs = Fixtures.model().extended(0x170, ExtendedCapability.DSN, 1, (c, at) -> c.setU32(at + 4, 0x1234))
                .build();
        change.accept(cs);
        return cs;
    }

    static final ConfigSpace SOURCE = device(cs -> { });

    /** The source as QEMU 11.0 builds it: vPASID at 0xff8 with the host's values; QEMU's or vcap's contract. */
    static LayoutContract contract(LayoutContract.Check check, PasidSupport host) {
        VirtualConfigSpace vcs = VirtualConfigSpace.over(new InMemoryConfigRegion(SOURCE));
        HidingPolicy.defaults().apply(vcs);
        PlacementEngine.place(vcs, Map.of(SyntheticCapability.PASID, Synthesizers.pasid(host)),
                Fixtures.OPTIONS.withCompat(check == LayoutContract.Check.QEMU ? PlacementOptions.Compat.QEMU
                        : PlacementOptions.Compat.VCAP));
        return Contracts.export(vcs, check);
    }

    static Admission.Result admit(LayoutContract.Check check, ConfigSpace destination, PasidSupport destinationHost) {
        return Admission.admit(ContractCodec.read(ContractCodec.write(contract(check, Fixtures.HOST))),
                new InMemoryConfigRegion(destination), new Admission.Options(destinationHost, QuirkTable.empty(),
                        HidingPolicy.defaults()));
    }

    static String verdict(LayoutContract.Check check, ConfigSpace destination) {
        return verdict(check, destination, Fixtures.HOST);
    }

    static String verdict(LayoutContract.Check check, ConfigSpace destination, PasidSupport host) {
        return switch (admit(check, destination, host)) {
            case Admission.Result.Admitted a -> "admitted";
            case Admission.Result.Refused r -> r.rule() + (r.offset() >= 0 ? String.format(" at 0x%03x", r.offset()) : "");
        };
    }

    @Test
    void theSameDeviceIsAdmittedUnderBothRulesAndTheContractRoundTrips() {
        LayoutContract qemu = contract(LayoutContract.Check.QEMU, Fixtures.HOST);
        assertThat(qemu.config()).hasSize(0x1000);
        assertThat(ContractCodec.read(ContractCodec.write(qemu))).isEqualTo(qemu);
        assertThat(new String(ContractCodec.write(qemu), java.nio.charset.StandardCharsets.UTF_8))
                .contains(",\"check\":\"qemu-11.0\",\"config\":\"8680250b");
        assertThat(verdict(LayoutContract.Check.QEMU, SOURCE)).isEqualTo("admitted");
        assertThat(verdict(LayoutContract.Check.VCAP, SOURCE)).isEqualTo("admitted");
    }

    @Test
    void aDifferentSubsystemIdIsQemusBusinessNot() {
        ConfigSpace oem = device(cs -> cs.setU16(0x2E, 0x1028));
        assertThat(verdict(LayoutContract.Check.QEMU, oem)).isEqualTo("admitted");
        assertThat(verdict(LayoutContract.Check.VCAP, oem)).isEqualTo("IDENTITY at 0x02e");
    }

    @Test
    void aDifferentInterruptPinIsQemusBusinessNot() {
        ConfigSpace pinA = device(cs -> cs.setU8(0x3D, 1));
        assertThat(verdict(LayoutContract.Check.QEMU, pinA)).isEqualTo("admitted");
        assertThat(verdict(LayoutContract.Check.VCAP, pinA)).isEqualTo("CHECKED_BITS at 0x03d");
    }

    /** QEMU checks every byte of each capability it adds, pass-through registers included. */
    @Test
    void aDifferentSerialNumberIsRefusedByQemuOnly() {
        ConfigSpace other = device(cs -> cs.setU32(0x174, 0x5678));
        Admission.Result.Refused r = (Admission.Result.Refused) admit(LayoutContract.Check.QEMU, other, Fixtures.HOST);
        assertThat(r.rule()).isEqualTo(Admission.Rule.QEMU_CONFIG);
        assertThat(r.reason()).isEqualTo("get_pci_config_device: Bad config data: i=0x174 read: 34 device: 78 cmask: ff"
                + " wmask: 0 w1cmask:0 (extended Device Serial Number@0x170 (12 bytes, physical))");
        assertThat(verdict(LayoutContract.Check.VCAP, other)).isEqualTo("admitted");
    }

    /** ... and trailing gaps: the last extended capability's bytes run, for QEMU, to 0x1000. */
    @Test
    void aRegisterInTheTrailingGapIsRefusedByQemuOnly() {
        ConfigSpace register = device(cs -> cs.setU32(0xF00, 0x0000_0C01));
        assertThat(verdict(LayoutContract.Check.QEMU, register)).isEqualTo("QEMU_CONFIG at 0xf00");
        assertThat(verdict(LayoutContract.Check.VCAP, register)).isEqualTo("admitted");
    }

    /** A register where vPASID goes: QEMU lays its registers over it and admits; vcap refuses. */
    @Test
    void aRegisterUnderVpasidIsOverlaidByQemuAndRefusedByVcap() {
        ConfigSpace register = device(cs -> cs.setU32(0xFF8, 0x0000_0C01));
        assertThat(verdict(LayoutContract.Check.QEMU, register)).isEqualTo("admitted");
        assertThat(verdict(LayoutContract.Check.VCAP, register)).isEqualTo("SYNTHESIZED_NONZERO_BYTES at 0xff8");
    }

    /** QEMU's destination synthesizes with its own host's values, and the register must match: wider is refused. */
    @Test
    void aHostWithMorePasidBitsIsRefusedByQemuOnly() {
        PasidSupport wider = new PasidSupport(20, true, true);
        assertThat(verdict(LayoutContract.Check.QEMU, SOURCE, wider)).isEqualTo("QEMU_CONFIG at 0xffc");
        assertThat(verdict(LayoutContract.Check.VCAP, SOURCE, wider)).isEqualTo("admitted");
        PasidSupport narrower = new PasidSupport(16, true, false);
        assertThat(verdict(LayoutContract.Check.QEMU, SOURCE, narrower)).isEqualTo("QEMU_CONFIG at 0xffd");
        assertThat(verdict(LayoutContract.Check.VCAP, SOURCE, narrower)).isEqualTo("PASID_WIDTH at 0xff8");
    }

    /** Guest-writable bits are state, not checked: an enabled PASID on the source is admitted. */
    @Test
    void guestWritableBitsAreNotChecked() {
        VirtualConfigSpace vcs = VirtualConfigSpace.over(new InMemoryConfigRegion(SOURCE));
        HidingPolicy.defaults().apply(vcs);
        PlacementEngine.place(vcs, Map.of(SyntheticCapability.PASID, Synthesizers.pasid(Fixtures.HOST)),
                Fixtures.OPTIONS.withCompat(PlacementOptions.Compat.QEMU));
        vcs.write(0xFF8 + Synthesizers.PASID_CONTROL, 2, Synthesizers.PASID_ENABLE);
        vcs.write(0x04, 2, 0x0006); // memory and bus master on
        LayoutContract c = Contracts.export(vcs, LayoutContract.Check.QEMU);
        assertThat(Admission.admit(c, new InMemoryConfigRegion(SOURCE), Fixtures.ADMIT))
                .isInstanceOf(Admission.Result.Admitted.class);
    }
}
