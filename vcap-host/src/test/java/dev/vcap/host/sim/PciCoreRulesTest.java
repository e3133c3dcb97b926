package dev.vcap.host.sim;

import static dev.vcap.host.PciRegs.*;
import static dev.vcap.host.testing.Errnos.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.Rule;
import dev.vcap.host.testing.Devices;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.PciAddress;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PF/VF rules of drivers/pci/ats.c and the sriov_numvfs rules of drivers/pci/iov.c, one
 * table-driven test per rule.
 */
class PciCoreRulesTest {

    /** A host whose PF has {@code vfs} VFs, the IOMMU set up as given. */
    record World(SimHost host, SimPciDev pf, SimPciDev vf) {

        static World of(ConfigSpace pf, SimIommu.Features f) {
            SimHost host = SimHost.builder().iommu(f).function(Devices.PF, pf).build();
            PciAddress vf = host.enableVfs(Devices.PF, 2).getFirst();
            return new World(host, host.pciDev(Devices.PF), host.pciDev(vf));
        }

        static World of(ConfigSpace pf) {
            return of(pf, SimIommu.Features.defaults());
        }
    }

    record Case(String name, World world, Consumer<World> action, Rule rule) {
        @Override
        public String toString() {
            return name;
        }

        void run() {
            if (rule == null) {
                action.accept(world);
            } else {
                expect(rule, () -> action.accept(world));
            }
        }
    }

    private static Stream<Arguments> cases(Case... cases) {
        return Stream.of(cases).map(Arguments::of);
    }

    private static SimIommu.Features noPasid() {
        return SimIommu.Features.defaults().withPasid(false);
    }

    static Stream<Arguments> pciCapabilityAbsent() {
        World plain = new World(null, new SimPciDev(new SimFunction(Devices.OTHER, Devices.plainEndpoint(), null)), null);
        return cases(
                new Case("PASID on a function without it", plain, w -> w.pf().enablePasid(0), Rule.PCI_CAPABILITY_ABSENT),
                new Case("PRI on a function without it", plain, w -> w.pf().enablePri(1), Rule.PCI_CAPABILITY_ABSENT),
                new Case("ATS on a function without it", plain, w -> w.pf().enableAts(12), Rule.PCI_CAPABILITY_ABSENT),
                new Case("PRI reset on a function without it", plain, w -> w.pf().resetPri(), Rule.PCI_CAPABILITY_ABSENT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void pciCapabilityAbsent(Case c) {
        c.run();
    }

    static Stream<Arguments> pciAlreadyEnabled() {
        return cases(
                new Case("PASID, enabled at IOMMU probe", World.of(Devices.sriovPf()), w -> w.pf().enablePasid(0),
                        Rule.PCI_ALREADY_ENABLED),
                new Case("ATS, enabled at IOMMU probe", World.of(Devices.sriovPf()), w -> w.pf().enableAts(12),
                        Rule.PCI_ALREADY_ENABLED),
                new Case("VF PASID, enabled at IOMMU probe", World.of(Devices.sriovPf()), w -> w.vf().enablePasid(0),
                        Rule.PCI_ALREADY_ENABLED),
                new Case("PRI twice", World.of(Devices.sriovPf()), w -> {
                    w.pf().enablePri(8);
                    w.pf().enablePri(8);
                }, Rule.PCI_ALREADY_ENABLED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void pciAlreadyEnabled(Case c) {
        c.run();
    }

    static Stream<Arguments> vfPasidNeedsPf() {
        return cases(
                new Case("PF PASID off", World.of(Devices.sriovPf(), noPasid()), w -> w.vf().enablePasid(0),
                        Rule.VF_PASID_NEEDS_PF),
                new Case("PF PASID turned off again", World.of(Devices.sriovPf(), noPasid()), w -> {
                    w.pf().enablePasid(0);
                    w.pf().disablePasid();
                    w.vf().enablePasid(0);
                }, Rule.VF_PASID_NEEDS_PF),
                new Case("PF PASID on: the VF only records it", World.of(Devices.sriovPf(), noPasid()), w -> {
                    w.pf().enablePasid(PASID_CTRL_PRIV);
                    w.vf().enablePasid(0);
                    assertThat(w.vf().pasidEnabled()).isTrue();
                    assertThat(w.vf().pasidStatus()).isEqualTo(PASID_CTRL_ENABLE | PASID_CTRL_PRIV);
                }, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void vfPasidNeedsPf(Case c) {
        c.run();
    }

    static Stream<Arguments> vfPriNeedsPf() {
        return cases(
                new Case("PF PRI off", World.of(Devices.sriovPf()), w -> w.vf().enablePri(8), Rule.VF_PRI_NEEDS_PF),
                new Case("PF PRI on", World.of(Devices.sriovPf()), w -> {
                    w.pf().enablePri(8);
                    w.vf().enablePri(8);
                    assertThat(w.vf().priEnabled()).isTrue();
                    assertThat(w.vf().function().priCap()).as("a VF has no PRI registers to touch").isZero();
                }, null),
                new Case("PF without PRI", World.of(Devices.sriovPf(20, true, true, false)), w -> w.vf().enablePri(8),
                        Rule.VF_PRI_NEEDS_PF));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void vfPriNeedsPf(Case c) {
        c.run();
    }

    static Stream<Arguments> vfAtsStuMismatch() {
        return cases(
                new Case("PF 4 KiB, VF 8 KiB", World.of(Devices.sriovPf()), w -> {
                    w.vf().disableAts();
                    w.vf().enableAts(13);
                }, Rule.VF_ATS_STU_MISMATCH),
                new Case("PF 64 KiB (IOMMU STU 16), VF 4 KiB",
                        World.of(Devices.sriovPf(), SimIommu.Features.defaults().withAtsStu(16)), w -> {
                            assertThat(w.vf().atsEnabled()).as("probe enabled the VF with the PF's STU").isTrue();
                            w.vf().disableAts();
                            w.vf().enableAts(12);
                        }, Rule.VF_ATS_STU_MISMATCH),
                new Case("PF 4 KiB, VF 4 KiB: STU stays the PF's", World.of(Devices.sriovPf()), w -> {
                    w.vf().disableAts();
                    w.vf().enableAts(12);
                    assertThat(w.vf().function().read(w.vf().function().atsCap() + ATS_CTRL, 2)).isEqualTo(ATS_CTRL_ENABLE);
                }, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void vfAtsStuMismatch(Case c) {
        c.run();
    }

    static Stream<Arguments> atsStuTooSmall() {
        return cases(
                new Case("STU 2^11", World.of(Devices.sriovPf()), w -> {
                    w.pf().disableAts();
                    w.pf().enableAts(11);
                }, Rule.ATS_STU_TOO_SMALL),
                new Case("STU 2^12 writes STU field 0", World.of(Devices.sriovPf()), w -> {
                    w.pf().disableAts();
                    w.pf().enableAts(14);
                    assertThat(w.pf().function().read(w.pf().function().atsCap() + ATS_CTRL, 2))
                            .isEqualTo(ATS_CTRL_ENABLE | 2);
                }, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void atsStuTooSmall(Case c) {
        c.run();
    }

    static Stream<Arguments> pasidFeaturesUnsupported() {
        return cases(
                new Case("Exec on a PF supporting neither", World.of(Devices.sriovPf(20, false, false, true), noPasid()),
                        w -> w.pf().enablePasid(PASID_CAP_EXEC), Rule.PASID_FEATURES_UNSUPPORTED),
                new Case("Exec and Privileged on a PF supporting Privileged",
                        World.of(Devices.sriovPf(20, false, true, true), noPasid()),
                        w -> w.pf().enablePasid(PASID_CAP_EXEC | PASID_CAP_PRIV), Rule.PASID_FEATURES_UNSUPPORTED),
                new Case("Privileged on a PF supporting it", World.of(Devices.sriovPf(20, false, true, true), noPasid()),
                        w -> w.pf().enablePasid(PASID_CAP_PRIV), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void pasidFeaturesUnsupported(Case c) {
        c.run();
    }

    static Stream<Arguments> priNotStopped() {
        return cases(
                new Case("page requests outstanding", World.of(Devices.sriovPf()), w -> {
                    w.pf().function().setPageRequestsOutstanding(true);
                    w.pf().enablePri(8);
                }, Rule.PRI_NOT_STOPPED),
                new Case("disabled with requests in flight", World.of(Devices.sriovPf()), w -> {
                    w.pf().enablePri(8);
                    w.pf().function().setPageRequestsOutstanding(true);
                    w.pf().disablePri();
                    w.pf().enablePri(8);
                }, Rule.PRI_NOT_STOPPED),
                new Case("a PRI reset drops them", World.of(Devices.sriovPf()), w -> {
                    w.pf().function().setPageRequestsOutstanding(true);
                    w.pf().resetPri();
                    w.pf().enablePri(8);
                }, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void priNotStopped(Case c) {
        c.run();
    }

    static Stream<Arguments> priResetWhileEnabled() {
        return cases(
                new Case("PF", World.of(Devices.sriovPf()), w -> {
                    w.pf().enablePri(8);
                    w.pf().resetPri();
                }, Rule.PRI_RESET_WHILE_ENABLED),
                new Case("VF: a no-op", World.of(Devices.sriovPf()), w -> {
                    w.pf().enablePri(8);
                    w.vf().enablePri(8);
                    w.vf().resetPri();
                }, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void priResetWhileEnabled(Case c) {
        c.run();
    }

    // ------------------------------------------------------------------ sriov_numvfs

    record VfCase(String name, ConfigSpace pf, int first, int second, Rule rule) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> sriovTooManyVfs() {
        return Stream.of(new VfCase("5 of 4", Devices.sriovPf(), 5, -1, Rule.SRIOV_TOO_MANY_VFS),
                new VfCase("4 of 4", Devices.sriovPf(), 4, -1, null)).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void sriovTooManyVfs(VfCase c) {
        runVfCase(c);
    }

    static Stream<Arguments> sriovVfsAlreadyEnabled() {
        return Stream.of(new VfCase("2 then 3", Devices.sriovPf(), 2, 3, Rule.SRIOV_VFS_ALREADY_ENABLED),
                new VfCase("2 then 2: unchanged", Devices.sriovPf(), 2, 2, null),
                new VfCase("2 then 0 then 3", Devices.sriovPf(), 2, 0, null)).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void sriovVfsAlreadyEnabled(VfCase c) {
        runVfCase(c);
    }

    static Stream<Arguments> sriovAbsent() {
        return Stream.of(new VfCase("endpoint without SR-IOV", Devices.pasidEndpoint(8), 1, -1, Rule.SRIOV_ABSENT))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void sriovAbsent(VfCase c) {
        runVfCase(c);
    }

    private static void runVfCase(VfCase c) {
        SimHost host = SimHost.builder().function(Devices.PF, c.pf()).build();
        if (c.second() < 0) {
            if (c.rule() == null) {
                assertThat(host.enableVfs(Devices.PF, c.first())).hasSize(c.first());
            } else {
                expect(c.rule(), () -> host.enableVfs(Devices.PF, c.first()));
            }
            return;
        }
        host.enableVfs(Devices.PF, c.first());
        if (c.rule() == null) {
            assertThat(host.enableVfs(Devices.PF, c.second())).hasSize(c.second());
            if (c.second() == 0) {
                assertThat(host.enableVfs(Devices.PF, 3)).hasSize(3);
            }
        } else {
            expect(c.rule(), () -> host.enableVfs(Devices.PF, c.second()));
        }
    }
}
