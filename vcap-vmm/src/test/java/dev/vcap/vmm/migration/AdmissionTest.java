package dev.vcap.vmm.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.placement.QuirkTable;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** Admission: the same device is admitted; each rule refuses, named after it. */
class AdmissionTest {

    static final ConfigSpace SOURCE = Fixtures.model().build();
    static final LayoutContract CONTRACT = Fixtures.contract(SOURCE);
    static final int PASID = CONTRACT.synthesized().get(0).offset();

    static Admission.Result admit(ConfigSpace destination) {
        return admit(destination, Fixtures.ADMIT);
    }

    static Admission.Result admit(ConfigSpace destination, Admission.Options options) {
        return Admission.admit(CONTRACT, new InMemoryConfigRegion(destination), options);
    }

    static Admission.Result.Refused refused(Admission.Result r, Admission.Rule rule) {
        assertThat(r).isInstanceOf(Admission.Result.Refused.class);
        Admission.Result.Refused refused = (Admission.Result.Refused) r;
        assertThat(refused.rule()).as(refused.reason()).isEqualTo(rule);
        return refused;
    }

    @Test
    void theSameModelIsAdmittedAndReproducesTheGuestsView() {
        VirtualConfigSpace source = Fixtures.source(SOURCE, Fixtures.OPTIONS);
        Admission.Result r = admit(SOURCE);
        assertThat(r).isInstanceOf(Admission.Result.Admitted.class);
        VirtualConfigSpace dest = ((Admission.Result.Admitted) r).vcs();
        assertThat(dest.guestImage()).isEqualTo(source.guestImage());
        assertThat(Contracts.export(dest)).usingRecursiveComparison().isEqualTo(CONTRACT);
    }

    @Test
    void guestWritableStateIsRestored() {
        VirtualConfigSpace source = Fixtures.source(SOURCE, Fixtures.OPTIONS);
        source.write(PASID + Synthesizers.PASID_CONTROL, 2, Synthesizers.PASID_ENABLE);
        GuestState state = Contracts.state(source);
        VirtualConfigSpace dest = ((Admission.Result.Admitted) admit(SOURCE)).vcs();
        state.restore(dest);
        assertThat(dest.read(PASID + Synthesizers.PASID_CONTROL, 2)).isEqualTo(Synthesizers.PASID_ENABLE);
        assertThat(dest.guestImage()).isEqualTo(source.guestImage());
    }

    @Test
    void configSize() {
        refused(admit(ConfigSpace.copyOf(SOURCE.slice(0, 256))), Admission.Rule.CONFIG_SIZE);
    }

    @Test
    void identity() {
        ConfigSpace other = Fixtures.model().build();
        other.setU16(0x02, 0x0b26);
        assertThat(refused(admit(other), Admission.Rule.IDENTITY).reason())
                .isEqualTo("the destination's device ID is 0b26; the contract's is 0b25");
        ConfigSpace rev = Fixtures.model().revision(2).build();
        assertThat(refused(admit(rev), Admission.Rule.IDENTITY).offset()).isEqualTo(0x08);
    }

    @Test
    void capabilityMissing() {
        ConfigSpace moved = ConfigSpaceBuilder.endpoint(0x8086, 0x0b25).classCode(0x088000).revision(1)
                .subsystem(0x8086, 0).pcie(0x40, 0).extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x170, ExtendedCapability.LTR, 1)
                .extended(0x160, ExtendedCapability.ATS, 1, (c, at) -> c.setU16(at + 4, 0x0020)).build();
        Admission.Result.Refused r = refused(admit(moved), Admission.Rule.CAPABILITY_MISSING);
        assertThat(r.offset()).isEqualTo(0x150);
        assertThat(r.reason()).isEqualTo("the contract's extended Latency Tolerance Reporting@0x150 v1 (physical) is not"
                + " on the destination, which has it at 0x170 instead");
    }

    @Test
    void capabilityVersion() {
        ConfigSpace v1 = Fixtures.model().build();
        v1.setU32(0x100, ExtendedCapability.header(1, 1, 0x150));
        assertThat(refused(admit(v1), Admission.Rule.CAPABILITY_VERSION).reason())
                .contains("Advanced Error Reporting@0x100 v2 (physical) is version 1 on the destination");
    }

    @Test
    void synthesizedOverlapsCapability() {
        ConfigSpace extra = Fixtures.model().extended(PASID & ~0xF, ExtendedCapability.DSN, 1).build();
        Admission.Result.Refused r = refused(admit(extra), Admission.Rule.SYNTHESIZED_OVERLAPS_CAPABILITY);
        assertThat(r.reason()).contains("synthesized PASID").contains("Device Serial Number");
    }

    @Test
    void synthesizedForbiddenRange() {
        QuirkTable quirks = QuirkTable.empty().with(new StringReader("""
                version: 1
                quirks:
                  - id: dest-hidden
                    match: {vendor: 0x8086, device: 0x0b25}
                    forbid: [{range: 0xfc0-0xfff, reason: DEST_REG}]
                    source: a test
                """), "q.yaml");
        Admission.Result.Refused r = refused(admit(SOURCE, new Admission.Options(Fixtures.HOST, quirks,
                HidingPolicy.defaults())), Admission.Rule.SYNTHESIZED_FORBIDDEN_RANGE);
        assertThat(r.reason()).contains("quirk 'dest-hidden' forbids (DEST_REG)");
    }

    @Test
    void synthesizedNonzeroBytes() {
        ConfigSpace hidden = Fixtures.model().with((c, at) -> c.setU8(PASID + 5, 0x42)).build();
        Admission.Result.Refused r = refused(admit(hidden), Admission.Rule.SYNTHESIZED_NONZERO_BYTES);
        assertThat(r.offset()).isEqualTo(PASID + 5);
    }

    @Test
    void pasidWidth() {
        Admission.Options narrow = new Admission.Options(new PasidSupport(16, true, false), QuirkTable.empty(),
                HidingPolicy.defaults());
        assertThat(refused(admit(SOURCE, narrow), Admission.Rule.PASID_WIDTH).reason())
                .isEqualTo("the destination host supports 16 PASID bits; the guest was given 20");
    }

    @Test
    void pasidFeatures() {
        Admission.Options noExec = new Admission.Options(new PasidSupport(20, false, false), QuirkTable.empty(),
                HidingPolicy.defaults());
        assertThat(refused(admit(SOURCE, noExec), Admission.Rule.PASID_FEATURES).reason())
                .isEqualTo("the destination host's PASID features are Exec- Priv-; the guest was given Exec+ Priv- and"
                        + " may use what the destination lacks");
    }

    /** A destination that offers more than the guest was given is admitted: the guest never saw Priv. */
    @Test
    void pasidFeaturesBeyondTheContractsAreAdmitted() {
        Admission.Options more = new Admission.Options(new PasidSupport(20, true, true), QuirkTable.empty(),
                HidingPolicy.defaults());
        assertThat(admit(SOURCE, more)).isInstanceOf(Admission.Result.Admitted.class);
        Admission.Options privOnly = new Admission.Options(new PasidSupport(20, false, true), QuirkTable.empty(),
                HidingPolicy.defaults());
        assertThat(refused(admit(SOURCE, privOnly), Admission.Rule.PASID_FEATURES).reason())
                .startsWith("the destination host's PASID features are Exec- Priv+; the guest was given Exec+ Priv-");
    }

    @Test
    void checkedBits() {
        ConfigSpace pinA = Fixtures.model().with((c, at) -> c.setU8(0x3D, 1)).build(); // INTx pin A, the source had none
        Admission.Result.Refused r = refused(admit(pinA), Admission.Rule.CHECKED_BITS);
        assertThat(r.offset()).isEqualTo(0x3D);
        assertThat(r.reason()).isEqualTo("checked byte 0x03d (header) reads 0x01 on the destination; the contract says"
                + " 0x00 under mask 0xff");
        ConfigSpace otherAts = Fixtures.model().build();
        otherAts.setU16(0x166, 0x8000); // pass-through bits are the device's, not the contract's
        assertThat(admit(otherAts)).isInstanceOf(Admission.Result.Admitted.class);
    }

    @Test
    void extraDestinationCapabilitiesAreHiddenAndTheChainIsTheContracts() {
        ConfigSpace more = Fixtures.model().extended(0x400, ExtendedCapability.ACS, 1).build();
        Admission.Result r = admit(more);
        assertThat(r).isInstanceOf(Admission.Result.Admitted.class);
        assertThat(((Admission.Result.Admitted) r).actions()).anySatisfy(a -> assertThat(a)
                .startsWith("hid the destination's extended Access Control Services@0x400"));
        CapabilityChain guest = CapabilityChain.walk(((Admission.Result.Admitted) r).vcs().guestImage());
        assertThat(guest.extended()).extracting(Capability::offset).doesNotContain(0x400);
    }

    @Test
    void refusalTouchesNothing() {
        InMemoryConfigRegion region = new InMemoryConfigRegion(Fixtures.model().revision(9).build());
        Admission.admit(CONTRACT, region, Fixtures.ADMIT);
        Admission.admit(CONTRACT, new InMemoryConfigRegion(SOURCE), Fixtures.ADMIT);
        assertThat(region.writes()).isZero();
    }
}
