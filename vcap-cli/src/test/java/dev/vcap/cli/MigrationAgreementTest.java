package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.pci.testing.Corpus;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.migration.Admission;
import dev.vcap.vmm.migration.ContractCodec;
import dev.vcap.vmm.migration.Contracts;
import dev.vcap.vmm.migration.LayoutContract;
import dev.vcap.vmm.migration.PoolPlanner;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.QuirkTable;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code vcap plan}, {@code vcap check-migration} and {@code vcap pool} never disagree on the same
 * input (issue 12, item 12), over every assignable PCI Express device of the corpus with 4 KiB config
 * space:
 * a contract {@code plan} would write is admitted on the device it was planned on; an explicit
 * offset {@code plan} accepts is one admission accepts; and for a pool of the corpus's devices of
 * one model, every device {@code pool} keeps is admitted and every device it blocks is refused with
 * the very rule, first byte and reason {@code pool} names. Each side runs the code its command
 * runs, with the command's defaults.
 */
class MigrationAgreementTest {

    static List<DeviceImage> devices;

    @BeforeAll
    static void readCorpus() throws Exception {
        Corpus.require();
        devices = new ArrayList<>();
        for (Path file : Corpus.dumps()) {
            try {
                for (DeviceImage d : Dumps.readAll(file)) {
                    if (DeviceChecks.incomplete(d) == null && DeviceChecks.notAssignable(d) == null
                            && DevicePlan.skipReason(d.config(), CapabilityChain.walk(d.config())) == null) {
                        devices.add(d);
                    }
                }
            } catch (DumpFormatException e) {
                // files without a device header line
            }
        }
    }

    static PlanSettings settings(List<SyntheticCapability> requested, Map<SyntheticCapability, Integer> explicit) {
        return new PlanSettings(requested, PlacementOptions.defaults().withExplicit(explicit), null, null, null, null,
                null, null);
    }

    /** What check-migration says of {@code contract} on {@code device}, with its defaults. */
    static Admission.Result checkMigration(LayoutContract contract, DeviceImage device) {
        LayoutContract read = ContractCodec.read(ContractCodec.write(contract));
        return Admission.admit(read, LiveViews.of(device), CheckMigrationCommand.admissionOptions(read,
                LiveViews.hwInfo(device), null, null, null, QuirkTable.shipped()));
    }

    @Test
    void everyContractPlanWritesIsAdmittedOnItsOwnDevice() {
        assertThat(devices).hasSizeGreaterThan(100);
        int contracts = 0;
        for (DeviceImage d : devices) {
            for (List<SyntheticCapability> requested : List.of(List.of(SyntheticCapability.PASID),
                    List.of(SyntheticCapability.PASID, SyntheticCapability.PRI, SyntheticCapability.ATS))) {
                DevicePlan p = DevicePlan.of(d, settings(requested, Map.of()));
                assertThat(p.refused()).as(d.origin()).isFalse();
                assertThat(checkMigration(Contracts.export(p.vcs()), d)).as(d.origin() + " " + requested)
                        .isInstanceOf(Admission.Result.Admitted.class);
                contracts++;
            }
        }
        assertThat(contracts).isEqualTo(2 * devices.size());
    }

    /** {@code plan --compat qemu} writes QEMU's contract; QEMU's rule admits it on its own device too. */
    @Test
    void everyQemuContractPlanWritesIsAdmittedOnItsOwnDevice() {
        int contracts = 0;
        for (DeviceImage d : devices) {
            DevicePlan p = DevicePlan.of(d, new PlanSettings(List.of(SyntheticCapability.PASID),
                    PlacementOptions.defaults().withCompat(PlacementOptions.Compat.QEMU), null, null, null, null, null,
                    null));
            if (p.refused()) {
                continue; // QEMU would damage the guest's view: plan writes no contract (exit 4)
            }
            assertThat(checkMigration(Contracts.export(p.vcs(), LayoutContract.Check.QEMU), d)).as(d.origin())
                    .isInstanceOf(Admission.Result.Admitted.class);
            contracts++;
        }
        assertThat(contracts).isGreaterThan(devices.size() / 2);
    }

    /**
     * Explicit offsets across extended space and on the device's first non-zero gap byte (the
     * user's case: a register of unknown purpose): plan places exactly where admission admits.
     */
    @Test
    void anExplicitOffsetPlanAcceptsIsOneCheckMigrationAdmits() {
        int placed = 0;
        int refused = 0;
        for (DeviceImage d : devices) {
            List<Integer> offsets = new ArrayList<>();
            for (int offset = 0x100; offset <= 0xFF8; offset += 0x3F0) {
                offsets.add(offset);
            }
            VirtualConfigSpace guest = DevicePlan.of(d, settings(List.of(), Map.of())).vcs();
            for (int b = 0x100; b < guest.size(); b++) {
                if (guest.isGap(b) && guest.read(b, 1) != 0) {
                    offsets.add(Math.min(b & ~3, 0xFF8));
                    break;
                }
            }
            for (int offset : offsets) {
                DevicePlan p = DevicePlan.of(d, settings(List.of(SyntheticCapability.PASID),
                        Map.of(SyntheticCapability.PASID, offset)));
                if (p.refused()) {
                    refused++;
                    continue;
                }
                placed++;
                assertThat(checkMigration(Contracts.export(p.vcs()), d)).as("%s PASID at 0x%03x", d.origin(), offset)
                        .isInstanceOf(Admission.Result.Admitted.class);
            }
        }
        assertThat(placed).isPositive();
        assertThat(refused).isPositive();
    }

    /** Pools of the corpus's devices of one model, and one pool of every device. */
    @Test
    void poolAndCheckMigrationGiveTheSameVerdictAndTheSameFirstDifferingByte() {
        Map<String, List<DeviceImage>> models = new LinkedHashMap<>();
        for (DeviceImage d : devices) {
            models.computeIfAbsent(String.format("%04x:%04x", d.vendorId(), d.deviceId()), k -> new ArrayList<>()).add(d);
        }
        List<List<DeviceImage>> pools = new ArrayList<>(models.values().stream().filter(m -> m.size() > 1).toList());
        pools.add(devices);
        assertThat(pools).hasSizeGreaterThan(5);
        PoolPlanner.Options options = PoolCommand.options(true, true, false, new PasidSupport(20, false, false),
                QuirkTable.shipped());
        int blocked = 0;
        for (List<DeviceImage> pool : pools) {
            PoolPlanner.PoolPlan plan = PoolPlanner.plan(pool.iterator(), options);
            LayoutContract contract = plan.contract().orElseThrow();
            for (DeviceImage d : pool) {
                Admission.Result verdict = checkMigration(contract, d);
                Optional<PoolPlanner.Blocker> blocker = plan.blockers().stream()
                        .filter(b -> b.device().equals(d.origin() + " " + d.address())).findFirst();
                if (blocker.isEmpty()) {
                    assertThat(verdict).as(d.origin()).isInstanceOf(Admission.Result.Admitted.class);
                } else {
                    blocked++;
                    assertThat(verdict).as(d.origin()).isEqualTo(blocker.get().refusal());
                }
            }
        }
        assertThat(blocked).as("the pool of every device blocks all but one model").isPositive();
    }
}
