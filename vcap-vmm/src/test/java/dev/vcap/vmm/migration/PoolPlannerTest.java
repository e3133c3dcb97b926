package dev.vcap.vmm.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.vmm.placement.SyntheticCapability;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One contract for a pool, or the smallest set of devices that blocks it. */
class PoolPlannerTest {

    static final PoolPlanner.Options OPTIONS = new PoolPlanner.Options(Fixtures.requests(Fixtures.HOST), Fixtures.OPTIONS,
            Fixtures.ADMIT, InMemoryConfigRegion::new);

    static DeviceImage device(int n, ConfigSpace cs) {
        return new DeviceImage(new PciAddress(0, n, 0, 0), "host " + n, cs, "pool.lspci:" + (n * 260 + 1));
    }

    static PoolPlanner.PoolPlan plan(List<DeviceImage> devices) {
        return PoolPlanner.plan(devices.iterator(), OPTIONS);
    }

    /**
     * The pool and admission (what vcap check-migration runs) agree on every device: admitted when
     * the pool keeps it, refused with the very rule, byte and reason the pool names when it blocks.
     */
    static void assertAdmittedOnAll(PoolPlanner.PoolPlan plan, List<DeviceImage> devices) {
        LayoutContract contract = plan.contract().orElseThrow();
        for (DeviceImage d : devices) {
            Admission.Result r = Admission.admit(contract, new InMemoryConfigRegion(d.config()), Fixtures.ADMIT);
            java.util.Optional<PoolPlanner.Blocker> blocker = plan.blockers().stream()
                    .filter(b -> b.device().startsWith(d.origin() + " ")).findFirst();
            if (blocker.isEmpty()) {
                assertThat(r).as(d.origin()).isInstanceOf(Admission.Result.Admitted.class);
            } else {
                assertThat(r).as(d.origin()).isEqualTo(blocker.get().refusal());
            }
        }
    }

    @Test
    void identicalHostsShareOneContract() {
        List<DeviceImage> pool = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int serial = i;
            pool.add(device(i, Fixtures.model().extended(0x170, ExtendedCapability.DSN, 1,
                    (c, at) -> c.setU32(at + 4, 0x1000 + serial)).build()));
        }
        PoolPlanner.PoolPlan plan = plan(pool);
        assertThat(plan.complete()).isTrue();
        assertThat(plan.core()).isEqualTo(5);
        assertThat(plan.verified()).isEqualTo(1); // device serial numbers are pass-through: one class
        assertAdmittedOnAll(plan, pool);
    }

    @Test
    void aHiddenRegisterOnOneHostMovesThePoolsPasidAwayFromIt() {
        List<DeviceImage> pool = List.of(device(0, Fixtures.model().build()), device(1, Fixtures.model().build()),
                device(2, Fixtures.model().with((c, at) -> c.setU8(0xFF9, 0x10)).build()));
        PoolPlanner.PoolPlan plan = plan(pool);
        assertThat(plan.complete()).isTrue();
        int pasid = plan.contract().orElseThrow().synthesized(SyntheticCapability.PASID).orElseThrow().offset();
        assertThat(pasid + 8).isLessThanOrEqualTo(0xFF8);
        assertThat(Fixtures.contract(Fixtures.model().build()).synthesized(SyntheticCapability.PASID).orElseThrow()
                .offset()).as("on its own, the clean model takes the tail").isEqualTo(0xFF8);
        assertAdmittedOnAll(plan, pool);
    }

    @Test
    void anotherModelBlocksAndIsNamed() {
        ConfigSpace other = Fixtures.model().build();
        other.setU16(0x02, 0x0b26);
        List<DeviceImage> pool = List.of(device(0, Fixtures.model().build()), device(1, other),
                device(2, Fixtures.model().build()));
        PoolPlanner.PoolPlan plan = plan(pool);
        assertThat(plan.complete()).isFalse();
        assertThat(plan.core()).isEqualTo(2);
        assertThat(plan.blockers()).singleElement().satisfies(b -> {
            assertThat(b.device()).isEqualTo("pool.lspci:261 0000:01:00.0");
            assertThat(b.refusal()).isEqualTo(new Admission.Result.Refused(Admission.Rule.IDENTITY, 0x02,
                    "the destination's device ID is 0b26; the contract's is 0b25"));
        });
        assertAdmittedOnAll(plan, pool);
    }

    @Test
    void anotherFirmwareLayoutBlocks() {
        ConfigSpace moved = Fixtures.model().build();
        moved.setU32(0x100, ExtendedCapability.header(1, 2, 0x180)); // AER now links to LTR at 0x180
        moved.setU32(0x180, moved.u32(0x150));
        moved.setU32(0x150, 0);
        moved.setU32(0x154, 0);
        List<DeviceImage> pool = List.of(device(0, moved), device(1, Fixtures.model().build()),
                device(2, Fixtures.model().build()));
        PoolPlanner.PoolPlan plan = plan(pool);
        assertThat(plan.blockers()).singleElement().satisfies(b -> {
            assertThat(b.refusal().rule()).isEqualTo(Admission.Rule.CAPABILITY_MISSING);
            assertThat(b.refusal().offset()).isEqualTo(0x150);
        });
        assertAdmittedOnAll(plan, pool);
    }

    @Test
    void whenNoOffsetIsFreeEverywhereTheFewestHostsAreLeftOut() {
        List<DeviceImage> pool = new ArrayList<>();
        // host i keeps registers in every third gap dword (residue i): any 8 bytes are non-zero on two hosts
        for (int i = 0; i < 3; i++) {
            ConfigSpace cs = Fixtures.model().build();
            for (int off = 0x12C; off < 0x1000; off += 4) {
                boolean capability = off >= 0x150 && off < 0x158 || off >= 0x160 && off < 0x168;
                if (!capability && (off / 4) % 3 == i) {
                    cs.setU32(off, 0x5A5A0000 | off);
                }
            }
            pool.add(device(i, cs));
        }
        PoolPlanner.Options pasidOnly = new PoolPlanner.Options(java.util.Map.of(SyntheticCapability.PASID,
                Fixtures.requests(Fixtures.HOST).get(SyntheticCapability.PASID)), Fixtures.OPTIONS, Fixtures.ADMIT,
                InMemoryConfigRegion::new);
        PoolPlanner.PoolPlan plan = PoolPlanner.plan(pool.iterator(), pasidOnly);
        assertThat(plan.contract().orElseThrow().synthesized(SyntheticCapability.PASID)).isPresent();
        assertThat(plan.blockers()).hasSize(2).allSatisfy(b -> assertThat(b.refusal().rule())
                .isEqualTo(Admission.Rule.SYNTHESIZED_NONZERO_BYTES));
        assertThat(plan.core()).isEqualTo(1);
        assertAdmittedOnAll(plan, pool);
    }

    @Test
    void theSamePoolGivesTheSamePlan() {
        List<DeviceImage> pool = List.of(device(0, Fixtures.model().build()),
                device(1, Fixtures.model().with((c, at) -> c.setU32(0xE00, 1)).build()));
        assertThat(ContractCodec.write(plan(pool).contract().orElseThrow()))
                .isEqualTo(ContractCodec.write(plan(pool).contract().orElseThrow()));
    }
}
