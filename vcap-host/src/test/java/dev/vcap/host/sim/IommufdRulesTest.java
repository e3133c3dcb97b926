package dev.vcap.host.sim;

import static dev.vcap.host.testing.Errnos.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.Errno;
import dev.vcap.host.HwInfo;
import dev.vcap.host.HwptAlloc;
import dev.vcap.host.PciRegs;
import dev.vcap.host.Rule;
import dev.vcap.host.testing.Devices;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.PciAddress;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attach, replace, detach, unbind and GET_HW_INFO rules of Linux 6.15 and later (DOMAIN.md
 * section 6, settled against Linux 7.3.4 by the real-kernel harness: kernel/harness.sh), one
 * table-driven test per rule, named after it and the upstream function that enforces it.
 */
class IommufdRulesTest {

    /** A case: what to build, what to do, what errno to expect (null: success), what must then hold. */
    record Case(String name, Function<Void, Rig> rig, Function<Rig, Integer> action, Errno expected,
            Consumer<Rig> then) {

        Case(String name, Function<Void, Rig> rig, Function<Rig, Integer> action, Errno expected) {
            this(name, rig, action, expected, r -> { });
        }

        @Override
        public String toString() {
            return name;
        }

        void run() {
            try (Rig r = rig.apply(null)) {
                expect(expected, () -> action.apply(r));
                then.accept(r);
            }
        }
    }

    private static Function<Void, Rig> pasidDevice() {
        return v -> Rig.of(Devices.sriovPf());
    }

    private static Function<Void, Rig> pasidDevice(int width) {
        return v -> Rig.of(Devices.pasidEndpoint(width));
    }

    private static Stream<Arguments> cases(Case... cases) {
        return Stream.of(cases).map(Arguments::of);
    }

    // ------------------------------------------------------------------ attach of an attached PASID is a replace

    static Stream<Arguments> attachOfAttachedIsReplace() {
        return cases(
                new Case("PASID: second attach moves the PASID to the new HWPT", pasidDevice(), r -> {
                    int a = r.pasidHwpt();
                    int b = r.pasidHwpt();
                    r.dev.attachPasidPt(7, a);
                    return r.dev.attachPasidPt(7, b);
                }, null, r -> {
                    int b = r.dev.attachedHwpt(7);
                    assertThat(r.hw(7)).isEqualTo(b);
                    assertThat(r.dev.attachedPasids()).isEqualTo(1);
                    r.fd.destroy(b - 1); // the old HWPT has no users left
                }),
                new Case("RID: second attach moves the RID", pasidDevice(), r -> {
                    int a = r.hwpt(0);
                    int b = r.hwpt(0);
                    r.dev.attachPt(a);
                    return r.dev.attachPt(b);
                }, null, r -> {
                    assertThat(r.hw(0)).isEqualTo(r.dev.attachedHwpt(0));
                    r.fd.destroy(r.dev.attachedHwpt(0) - 1);
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void attachOfAttachedIsReplace(Case c) {
        c.run();
    }

    // ------------------------------------------------------------------ replacing with the same HWPT is a no-op

    static Stream<Arguments> replaceWithSameHwptIsNoOp() {
        return cases(
                new Case("PASID", pasidDevice(), r -> {
                    int a = r.pasidHwpt();
                    r.dev.attachPasidPt(9, a);
                    int again = r.dev.attachPasidPt(9, a);
                    assertThat(again).isEqualTo(a);
                    assertThat(r.hw(9)).isEqualTo(a);
                    r.dev.detachPasidPt(9);
                    r.fd.destroy(a); // one detach dropped the only reference: the no-op took none
                    return again;
                }, null),
                new Case("RID", pasidDevice(), r -> {
                    int a = r.hwpt(0);
                    r.dev.attachPt(a);
                    int again = r.dev.attachPt(a);
                    assertThat(again).isEqualTo(a);
                    r.dev.detachPt();
                    r.fd.destroy(a);
                    return again;
                }, null),
                new Case("RID through the IOAS it is already attached to", pasidDevice(), r -> {
                    int auto = r.dev.attachPt(r.ioas);
                    assertThat(r.dev.attachPt(r.ioas)).isEqualTo(auto);
                    return auto;
                }, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void replaceWithSameHwptIsNoOp(Case c) {
        c.run();
    }

    // ------------------------------------------------------------------ a failed replace keeps the old attachment

    static Stream<Arguments> failedReplaceKeepsOldAttachment() {
        return cases(
                new Case("PASID to a HWPT without ALLOC_PASID", pasidDevice(), r -> {
                    r.dev.attachPasidPt(5, r.pasidHwpt());
                    return r.dev.attachPasidPt(5, r.hwpt(0));
                }, Errno.EINVAL, r -> assertKept(r, 5)),
                new Case("PASID to an IOAS: the automatic domain is not PASID-compatible", pasidDevice(), r -> {
                    r.dev.attachPasidPt(5, r.pasidHwpt());
                    return r.dev.attachPasidPt(5, r.ioas);
                }, Errno.EINVAL, r -> assertKept(r, 5)),
                new Case("PASID to an unknown ID", pasidDevice(), r -> {
                    r.dev.attachPasidPt(5, r.pasidHwpt());
                    return r.dev.attachPasidPt(5, 4711);
                }, Errno.ENOENT, r -> assertKept(r, 5)),
                new Case("PASID to a fault-capable HWPT while PRI is not Stopped", pasidDevice(), r -> {
                    r.dev.attachPasidPt(5, r.pasidHwpt());
                    int fault = r.faultHwpt(HwptAlloc.PASID);
                    r.dev.pciDev().function().setPageRequestsOutstanding(true);
                    return r.dev.attachPasidPt(5, fault);
                }, Errno.EBUSY, r -> {
                    assertKept(r, 5);
                    assertThat(r.dev.pciDev().priEnabled()).isFalse();
                }),
                new Case("RID to a non-PASID HWPT while PASIDs are attached", pasidDevice(), r -> {
                    int p = r.pasidHwpt();
                    r.dev.attachPt(p);
                    r.dev.attachPasidPt(1, p);
                    return r.dev.attachPt(r.hwpt(0));
                }, Errno.EINVAL, r -> assertKept(r, 0)),
                new Case("VF PASID to a fault-capable HWPT (its PF has PRI)", v -> Rig.firstVf(Devices.sriovPf(), 1), r -> {
                    r.dev.attachPasidPt(2, r.pasidHwpt());
                    return r.dev.attachPasidPt(2, r.faultHwpt(HwptAlloc.PASID));
                }, Errno.EINVAL, r -> assertKept(r, 2)));
    }

    private static void assertKept(Rig r, int pasid) {
        int old = r.dev.attachedHwpt(pasid);
        assertThat(old).as("vfio still records the attachment").isNotZero();
        assertThat(r.hw(pasid)).as("the IOMMU still translates through the old HWPT").isEqualTo(old);
        expect(Rule.OBJECT_BUSY, () -> r.fd.destroy(old));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void failedReplaceKeepsOldAttachment(Case c) {
        c.run();
    }

    // ------------------------------------------------------------------ detaching what is not attached succeeds

    static Stream<Arguments> detachOfUnattachedIsSilent() {
        return cases(
                new Case("RID never attached", pasidDevice(), r -> {
                    r.dev.detachPt();
                    return 0;
                }, null),
                new Case("PASID never attached", pasidDevice(), r -> {
                    r.dev.detachPasidPt(77);
                    return 0;
                }, null),
                new Case("PASID detached twice", pasidDevice(), r -> {
                    r.dev.attachPasidPt(77, r.pasidHwpt());
                    r.dev.detachPasidPt(77);
                    r.dev.detachPasidPt(77);
                    return 0;
                }, null, r -> assertThat(r.hw(77)).isZero()),
                new Case("PASID beyond the width, never attached", pasidDevice(4), r -> {
                    r.dev.detachPasidPt(1 << 19);
                    return 0;
                }, null),
                new Case("iommufd_device_detach of what is not attached (it cannot fail)", pasidDevice(), r -> {
                    synchronized (r.dev.iommuDevice().group()) {
                        SimIommufd.Idev idev = r.dev.iommuDevice().group().bound[0];
                        r.fd.detach(idev, 0);
                        r.fd.detach(idev, 9);
                    }
                    return 0;
                }, null),
                new Case("plain RID detach after a PASID-0 attach: vfio's RID flag is clear, the RID stays",
                        pasidDevice(), r -> {
                            int h = r.pasidHwpt();
                            r.dev.attachPasidPt(0, h);
                            r.dev.detachPt();
                            return h;
                        }, null, r -> assertThat(r.hw(0)).isNotZero()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void detachOfUnattachedIsSilent(Case c) {
        c.run();
    }

    // ------------------------------------------------------------------ PASID-compatible domains once PASIDs are used

    static Stream<Arguments> pasidCompatRequired() {
        return cases(
                new Case("PASID to a HWPT without ALLOC_PASID", pasidDevice(),
                        r -> r.dev.attachPasidPt(1, r.hwpt(0)), Errno.EINVAL, r -> assertThat(r.hw(1)).isZero()),
                new Case("PASID to an IOAS: iommufd_device_auto_get_domain allocates without ALLOC_PASID",
                        pasidDevice(), r -> r.dev.attachPasidPt(1, r.ioas), Errno.EINVAL, r -> {
                            assertThat(r.hw(1)).isZero();
                            assertThat(r.dev.attachedPasids()).isZero();
                            r.fd.destroy(r.ioas); // the automatic domain it tried was destroyed
                        }),
                new Case("PASID to an IOAS that already has an automatic domain (the RID's)", pasidDevice(), r -> {
                    r.dev.attachPt(r.ioas);
                    return r.dev.attachPasidPt(1, r.ioas);
                }, Errno.EINVAL, r -> assertThat(r.hw(1)).isZero()),
                new Case("PASID while the RID has a HWPT without ALLOC_PASID", pasidDevice(), r -> {
                    r.dev.attachPt(r.hwpt(0));
                    return r.dev.attachPasidPt(1, r.pasidHwpt());
                }, Errno.EINVAL),
                new Case("RID to a HWPT without ALLOC_PASID while a PASID is attached", pasidDevice(), r -> {
                    r.dev.attachPasidPt(1, r.pasidHwpt());
                    return r.dev.attachPt(r.hwpt(0));
                }, Errno.EINVAL, r -> assertThat(r.hw(0)).isZero()),
                new Case("RID to a HWPT without ALLOC_PASID once the PASIDs are gone", pasidDevice(), r -> {
                    r.dev.attachPasidPt(1, r.pasidHwpt());
                    r.dev.detachPasidPt(1);
                    return r.dev.attachPt(r.hwpt(0));
                }, null),
                new Case("RID and PASIDs all PASID-compatible", pasidDevice(), r -> {
                    int p = r.pasidHwpt();
                    r.dev.attachPt(p);
                    r.dev.attachPasidPt(1, p);
                    return r.dev.attachPasidPt(2, r.pasidHwpt());
                }, null),
                new Case("nested PASID HWPT on a PASID", pasidDevice(), r -> {
                    int parent = r.hwpt(HwptAlloc.NEST_PARENT);
                    int nested = r.fd.allocHwpt(HwptAlloc.nested(r.devId, parent, HwptAlloc.PASID));
                    return r.dev.attachPasidPt(1, nested);
                }, null),
                new Case("nested HWPT without ALLOC_PASID on a PASID", pasidDevice(), r -> {
                    int parent = r.hwpt(HwptAlloc.NEST_PARENT);
                    return r.dev.attachPasidPt(1, r.fd.allocHwpt(HwptAlloc.nested(r.devId, parent, 0)));
                }, Errno.EINVAL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void pasidCompatRequired(Case c) {
        c.run();
    }

    // ------------------------------------------------------------------ no fault-capable HWPT on a VF whose PF has PRI

    static Stream<Arguments> faultHwptOnVfWithPfPri() {
        return cases(
                new Case("VF RID", v -> Rig.firstVf(Devices.sriovPf(), 2), r -> r.dev.attachPt(r.faultHwpt(0)),
                        Errno.EINVAL, r -> assertThat(r.hw(0)).isZero()),
                new Case("VF PASID", v -> Rig.firstVf(Devices.sriovPf(), 2),
                        r -> r.dev.attachPasidPt(1, r.faultHwpt(HwptAlloc.PASID)), Errno.EINVAL),
                new Case("VF RID, non-fault HWPT", v -> Rig.firstVf(Devices.sriovPf(), 2), r -> r.dev.attachPt(r.hwpt(0)),
                        null),
                new Case("PF RID: PRI is enabled", pasidDevice(), r -> r.dev.attachPt(r.faultHwpt(0)), null,
                        r -> assertThat(r.dev.pciDev().priEnabled()).isTrue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void faultHwptOnVfWithPfPri(Case c) {
        c.run();
    }

    static Stream<Arguments> faultHwptWithoutPri() {
        return cases(
                new Case("PF without PRI", pasidDevice(8), r -> r.dev.attachPt(r.faultHwpt(0)), Errno.ENODEV),
                new Case("VF of a PF without PRI", v -> Rig.firstVf(Devices.sriovPf(20, false, false, false), 1),
                        r -> r.dev.attachPt(r.faultHwpt(0)), Errno.ENODEV));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void faultHwptWithoutPri(Case c) {
        c.run();
    }

    // ------------------------------------------------------------------ PASID 0, PASID width

    /**
     * PASID 0 through VFIO_DEVICE_ATTACH_PASID is IOMMU_NO_PASID: vfio_iommufd_physical_pasid_attach_ioas
     * records it in its ida and calls iommufd_device_attach(idev, 0), the RID path. vfio's RID flag
     * (iommufd_attached) stays clear, so a plain RID attach afterwards is a second attach, which
     * iommufd_hw_pagetable_attach refuses with EBUSY (the device is already in the RID's
     * device_array). Linux 7.3.4 answers exactly this (kernel/README facts, the uAPI differential).
     */
    static Stream<Arguments> pasidZeroIsTheRid() {
        return cases(
                new Case("attach PASID 0 attaches the RID", pasidDevice(), r -> r.dev.attachPasidPt(0, r.pasidHwpt()),
                        null, r -> {
                            assertThat(r.hw(0)).isEqualTo(r.dev.attachedHwpt(0)).isNotZero();
                            assertThat(r.dev.attachedPasids()).isEqualTo(1);
                        }),
                new Case("PASID 0 again, another HWPT: a replace of the RID", pasidDevice(), r -> {
                    r.dev.attachPasidPt(0, r.pasidHwpt());
                    return r.dev.attachPasidPt(0, r.pasidHwpt());
                }, null, r -> assertThat(r.hw(0)).isEqualTo(r.dev.attachedHwpt(0))),
                new Case("a plain RID attach after it: EBUSY, not a replace", pasidDevice(), r -> {
                    r.dev.attachPasidPt(0, r.pasidHwpt());
                    return r.dev.attachPt(r.pasidHwpt());
                }, Errno.EBUSY),
                new Case("PASID 0 after a plain RID attach: EBUSY", pasidDevice(), r -> {
                    r.dev.attachPt(r.pasidHwpt());
                    return r.dev.attachPasidPt(0, r.pasidHwpt());
                }, Errno.EBUSY, r -> assertThat(r.dev.attachedPasids()).isZero()),
                new Case("detach with the PASID flag and PASID 0 detaches the RID", pasidDevice(), r -> {
                    r.dev.attachPasidPt(0, r.pasidHwpt());
                    r.dev.detachPasidPt(0);
                    return 0;
                }, null, r -> assertThat(r.hw(0)).isZero()),
                new Case("PASID 0 to an IOAS: an automatic domain, as for the RID", pasidDevice(),
                        r -> r.dev.attachPasidPt(0, r.ioas), null, r -> assertThat(r.hw(0)).isNotZero()),
                new Case("closing detaches it", pasidDevice(), r -> {
                    int h = r.pasidHwpt();
                    r.dev.attachPasidPt(0, h);
                    r.dev.close();
                    r.fd.destroy(h); // no user left
                    return h;
                }, null, r -> assertThat(r.hw(0)).isZero()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void pasidZeroIsTheRid(Case c) {
        c.run();
    }

    static Stream<Arguments> pasidBeyondWidth() {
        return cases(
                new Case("width 5: PASID 31 is the last", pasidDevice(5), r -> r.dev.attachPasidPt(31, r.pasidHwpt()), null),
                new Case("width 5: PASID 32", pasidDevice(5), r -> r.dev.attachPasidPt(32, r.pasidHwpt()), Errno.EINVAL),
                new Case("width 20: PASID 2^20 - 1", pasidDevice(20),
                        r -> r.dev.attachPasidPt((1 << 20) - 1, r.pasidHwpt()), null),
                new Case("width 20: PASID 2^20", pasidDevice(20), r -> r.dev.attachPasidPt(1 << 20, r.pasidHwpt()),
                        Errno.EINVAL),
                new Case("VF: the PF's width (14)", v -> Rig.firstVf(Devices.sriovPf(14, false, false, true), 1),
                        r -> r.dev.attachPasidPt(1 << 14, r.pasidHwpt()), Errno.EINVAL),
                new Case("the width is checked before the driver enables I/O page faults", pasidDevice(5),
                        r -> r.dev.attachPasidPt(32, r.faultHwpt(HwptAlloc.PASID)), Errno.EINVAL,
                        r -> assertThat(r.dev.pciDev().priEnabled()).isFalse()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void pasidBeyondWidth(Case c) {
        c.run();
    }

    /**
     * A device that cannot use PASID (max_pasids 0) is skipped by iommu_attach_device_pasid's width
     * check and by __iommu_set_group_pasid: any PASID up to INT_MAX attaches, as bookkeeping of
     * iommufd and the core, and nothing reaches the IOMMU. Linux 7.3.4 attaches PASIDs 1, 2^20 and
     * 2^31 - 1 to an e1000e that way (the uAPI differential).
     */
    static Stream<Arguments> pasidWithoutPasidCapabilityIsBookkeeping() {
        return cases(
                new Case("device without PASID, PASID 1", v -> Rig.of(Devices.plainEndpoint()),
                        r -> r.dev.attachPasidPt(1, r.pasidHwpt()), null, r -> {
                            assertThat(r.dev.attachedHwpt(1)).isNotZero();
                            assertThat(r.dev.iommuDevice().pasidEntries()).as("nothing reaches the IOMMU").isZero();
                        }),
                new Case("device without PASID, PASID 2^20 and INT_MAX", v -> Rig.of(Devices.plainEndpoint()), r -> {
                    int h = r.pasidHwpt();
                    r.dev.attachPasidPt(1 << 20, h);
                    return r.dev.attachPasidPt(Integer.MAX_VALUE, h);
                }, null, r -> {
                    assertThat(r.dev.attachedPasids()).isEqualTo(2);
                    r.dev.detachPasidPt(1 << 20);
                    assertThat(r.dev.attachedHwpt(1 << 20)).isZero();
                    assertThat(r.dev.attachedHwpt(Integer.MAX_VALUE)).isNotZero();
                }),
                new Case("the PASID-compatibility rule still applies", v -> Rig.of(Devices.plainEndpoint()),
                        r -> r.dev.attachPasidPt(1, r.hwpt(0)), Errno.EINVAL),
                new Case("IOMMU without PASID: every device has max_pasids 0", v -> new Rig(SimHost.builder()
                        .iommu(SimIommu.Features.defaults().withPasid(false))
                        .function(Devices.PF, Devices.pasidEndpoint(20)).build(), Devices.PF),
                        r -> r.dev.attachPasidPt(1, r.pasidHwpt()), null,
                        r -> assertThat(r.dev.iommuDevice().pasidEntries()).isZero()),
                new Case("a fault-capable HWPT: no driver call, so no I/O page faults to enable",
                        v -> Rig.of(Devices.plainEndpoint()), r -> r.dev.attachPasidPt(3, r.faultHwpt(HwptAlloc.PASID)),
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void pasidWithoutPasidCapabilityIsBookkeeping(Case c) {
        c.run();
    }

    /** vfio_iommufd_physical_pasid_attach_ioas: ida_alloc_range refuses an id above INT_MAX (ENOSPC). */
    static Stream<Arguments> pasidAboveIntMax() {
        return cases(
                new Case("PASID 2^31 on a device without PASID", v -> Rig.of(Devices.plainEndpoint()),
                        r -> r.dev.attachPasidPt(Integer.MIN_VALUE, r.pasidHwpt()), Errno.ENOSPC),
                new Case("PASID 0xffffffff on a 20-bit device: vfio refuses before the core's width check",
                        pasidDevice(20), r -> r.dev.attachPasidPt(-1, r.pasidHwpt()), Errno.ENOSPC),
                new Case("to an unknown HWPT: the ida is first, iommufd never looks the object up",
                        pasidDevice(20), r -> r.dev.attachPasidPt(-1, 4711), Errno.ENOSPC));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void pasidAboveIntMax(Case c) {
        c.run();
    }

    // ------------------------------------------------------------------ unbind detaches every PASID first

    static Stream<Arguments> unbindDetachesEveryPasidFirst() {
        return Stream.of(Arguments.of(0, 1), Arguments.of(1, 0), Arguments.of(1, 1), Arguments.of(64, 1),
                Arguments.of(1000, 1));
    }

    @ParameterizedTest(name = "{0} PASIDs, RID attached: {1}")
    @MethodSource
    void unbindDetachesEveryPasidFirst(int pasids, int rid) {
        Rig r = Rig.of(Devices.sriovPf());
        int p = r.pasidHwpt();
        if (rid == 1) {
            r.dev.attachPt(p);
        }
        for (int i = 1; i <= pasids; i++) {
            r.dev.attachPasidPt(i * 7, p);
        }
        java.util.List<Integer> cleared = new java.util.ArrayList<>();
        r.host.iommu().setEntryListener((d, pasid, domain) -> cleared.add(pasid));
        r.dev.close();
        assertThat(cleared).hasSize(pasids + rid);
        if (rid == 1) {
            assertThat(cleared.getLast()).as("the RID goes last, after every PASID").isZero();
        }
        assertThat(r.dev.iommuDevice().pasidEntries()).isZero();
        assertThat(r.dev.iommuDevice().ridDomain()).isZero();
        r.fd.destroy(p); // no user left
        r.fd.destroy(r.ioas);
        // the group is free: another iommufd may bind it
        try (var other = r.host.openIommufd(); var again = r.host.openDevice(Devices.PF)) {
            again.bind(other);
        }
    }

    // ------------------------------------------------------------------ GET_HW_INFO

    record HwCase(String name, SimHost host, PciAddress device, int log2, long caps) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static SimHost host(ConfigSpace cs, SimIommu.Features f) {
        return SimHost.builder().iommu(f).function(Devices.PF, cs).build();
    }

    private static HwCase vfCase(String name, ConfigSpace pf, SimIommu.Features f, int log2, long caps) {
        SimHost h = host(pf, f);
        return new HwCase(name, h, h.enableVfs(Devices.PF, 1).getFirst(), log2, caps);
    }

    static Stream<Arguments> hwInfoReportsMaxPasidLog2() {
        SimIommu.Features on = SimIommu.Features.defaults();
        long dirty = HwInfo.CAP_DIRTY_TRACKING;
        long all = dirty | HwInfo.CAP_PCI_PASID_EXEC | HwInfo.CAP_PCI_PASID_PRIV;
        return Stream.of(
                new HwCase("width 20", host(Devices.sriovPf(), on), Devices.PF, 20, all),
                new HwCase("width 14", host(Devices.sriovPf(14, true, true, true), on), Devices.PF, 14, all),
                new HwCase("IOMMU width 16 caps a 20-bit device", host(Devices.sriovPf(),
                        new SimIommu.Features(true, 16, true, true, true, true, true, 12)), Devices.PF, 16, all),
                new HwCase("no PASID capability: 0", host(Devices.plainEndpoint(), on), Devices.PF, 0, dirty),
                new HwCase("IOMMU without PASID: 0", host(Devices.sriovPf(), on.withPasid(false)), Devices.PF, 0, dirty),
                new HwCase("no dirty tracking", host(Devices.pasidEndpoint(8), on.withDirtyTracking(false)), Devices.PF,
                        8, 0),
                vfCase("VF: the PF's width", Devices.sriovPf(14, false, false, true), on, 14, dirty))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void hwInfoReportsMaxPasidLog2(HwCase c) {
        try (var fd = c.host().openIommufd(); var dev = c.host().openDevice(c.device())) {
            HwInfo info = fd.getHwInfo(dev.bind(fd));
            assertThat(info.maxPasidLog2()).isEqualTo(c.log2());
            assertThat(info.pasidSupported()).isEqualTo(c.log2() != 0);
            assertThat(info.capabilities()).isEqualTo(c.caps());
            assertThat(info.dataType()).isEqualTo(HwInfo.TYPE_INTEL_VTD);
        }
    }

    static Stream<Arguments> hwInfoExecPrivFollowPfEnabled() {
        SimIommu.Features on = SimIommu.Features.defaults();
        SimIommu.Features privOnly = new SimIommu.Features(true, 20, false, true, false, true, true, 12);
        long exec = HwInfo.CAP_PCI_PASID_EXEC;
        long priv = HwInfo.CAP_PCI_PASID_PRIV;
        return Stream.of(
                new HwCase("PF supports both, IOMMU enables both", host(Devices.sriovPf(), on), Devices.PF, 20,
                        exec | priv),
                new HwCase("PF supports both, IOMMU enables Privileged only", host(Devices.sriovPf(), privOnly),
                        Devices.PF, 20, priv),
                new HwCase("PF supports Exec only", host(Devices.sriovPf(20, true, false, true), on), Devices.PF, 20, exec),
                vfCase("VF: what the PF enabled (both)", Devices.sriovPf(), on, 20, exec | priv),
                vfCase("VF: what the PF enabled (Privileged)", Devices.sriovPf(), privOnly, 20, priv),
                vfCase("VF: nothing enabled on the PF", Devices.sriovPf(20, false, false, true), on, 20, 0))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void hwInfoExecPrivFollowPfEnabled(HwCase c) {
        try (var fd = c.host().openIommufd(); var dev = c.host().openDevice(c.device())) {
            HwInfo info = fd.getHwInfo(dev.bind(fd));
            long pasidCaps = HwInfo.CAP_PCI_PASID_EXEC | HwInfo.CAP_PCI_PASID_PRIV;
            assertThat(info.capabilities() & pasidCaps).isEqualTo(c.caps());
            if (dev.pciDev().isVirtfn()) {
                // the PF's Control register is the source: change it and the VF's answer follows
                SimFunction pf = dev.pciDev().physfn().function();
                int ctrl = pf.pasidCap() + PciRegs.PASID_CTRL;
                pf.write(ctrl, 2, pf.read(ctrl, 2) & ~(PciRegs.PASID_CTRL_EXEC | PciRegs.PASID_CTRL_PRIV));
                assertThat(fd.getHwInfo(dev.devId()).capabilities() & pasidCaps).isZero();
            }
        }
    }
}
