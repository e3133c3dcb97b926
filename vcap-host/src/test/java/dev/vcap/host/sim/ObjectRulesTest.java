package dev.vcap.host.sim;

import static dev.vcap.host.testing.Errnos.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.HwptAlloc;
import dev.vcap.host.Rule;
import dev.vcap.host.testing.Devices;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.config.PciAddress;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * iommufd object rules, IOMMU_HWPT_ALLOC rules, group rules and vfio device-file rules: one
 * table-driven test per rule, each case expecting that rule's errno (or success as a control).
 */
class ObjectRulesTest {

    /** An action on a fresh rig; {@code rule} null means it must succeed. */
    record Case(String name, ToIntFunction<Rig> action, Rule rule) {
        @Override
        public String toString() {
            return name;
        }

        void run() {
            try (Rig r = Rig.of(Devices.sriovPf())) {
                if (rule == null) {
                    action.applyAsInt(r);
                } else {
                    expect(rule, () -> action.applyAsInt(r));
                }
            }
        }
    }

    private static Stream<Arguments> cases(Case... cases) {
        return Stream.of(cases).map(Arguments::of);
    }

    private static HwptAlloc alloc(Rig r, int flags, int ptId, int dataType, int dataLen, int faultId, int reserved) {
        return new HwptAlloc(flags, r.devId, ptId, dataType, dataLen, faultId, reserved);
    }

    // ------------------------------------------------------------------ IOMMU_HWPT_ALLOC

    static Stream<Arguments> hwptReserved() {
        return cases(
                new Case("__reserved 1", r -> r.fd.allocHwpt(alloc(r, 0, r.ioas, 0, 0, 0, 1)), Rule.HWPT_RESERVED),
                new Case("__reserved 0x80000000", r -> r.fd.allocHwpt(alloc(r, 0, r.ioas, 0, 0, 0, 1 << 31)),
                        Rule.HWPT_RESERVED),
                new Case("__reserved 0", r -> r.fd.allocHwpt(alloc(r, 0, r.ioas, 0, 0, 0, 0)), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void hwptReserved(Case c) {
        c.run();
    }

    static Stream<Arguments> hwptDataMismatch() {
        return cases(
                new Case("DATA_NONE with data_len 8", r -> r.fd.allocHwpt(alloc(r, 0, r.ioas, 0, 8, 0, 0)),
                        Rule.HWPT_DATA_MISMATCH),
                new Case("VTD_S1 without data_len", r -> r.fd.allocHwpt(alloc(r, 0, r.ioas, 1, 0, 0, 0)),
                        Rule.HWPT_DATA_MISMATCH));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void hwptDataMismatch(Case c) {
        c.run();
    }

    static Stream<Arguments> hwptUnknownFlags() {
        return cases(
                new Case("paging: bit 4", r -> r.fd.allocHwpt(alloc(r, 1 << 4, r.ioas, 0, 0, 0, 0)),
                        Rule.HWPT_UNKNOWN_FLAGS),
                new Case("nested: NEST_PARENT", r -> r.fd.allocHwpt(HwptAlloc.nested(r.devId,
                        r.hwpt(HwptAlloc.NEST_PARENT), HwptAlloc.NEST_PARENT)), Rule.HWPT_UNKNOWN_FLAGS),
                new Case("nested: DIRTY_TRACKING", r -> r.fd.allocHwpt(HwptAlloc.nested(r.devId,
                        r.hwpt(HwptAlloc.NEST_PARENT), HwptAlloc.DIRTY_TRACKING)), Rule.HWPT_UNKNOWN_FLAGS),
                new Case("paging: all four known flags but FAULT_ID_VALID", r -> r.fd.allocHwpt(alloc(r,
                        HwptAlloc.NEST_PARENT | HwptAlloc.DIRTY_TRACKING | HwptAlloc.PASID, r.ioas, 0, 0, 0, 0)), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void hwptUnknownFlags(Case c) {
        c.run();
    }

    static Stream<Arguments> hwptFaultOnNestParent() {
        return cases(
                new Case("FAULT_ID_VALID | NEST_PARENT", r -> r.fd.allocHwpt(HwptAlloc.pagingWithFault(r.devId, r.ioas,
                        HwptAlloc.NEST_PARENT, r.fd.allocFaultQueue())), Rule.HWPT_FAULT_ON_NEST_PARENT),
                new Case("FAULT_ID_VALID on a nested HWPT", r -> r.fd.allocHwpt(new HwptAlloc(HwptAlloc.FAULT_ID_VALID,
                        r.devId, r.hwpt(HwptAlloc.NEST_PARENT), HwptAlloc.DATA_VTD_S1, 24, r.fd.allocFaultQueue(), 0)),
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void hwptFaultOnNestParent(Case c) {
        c.run();
    }

    static Stream<Arguments> hwptUnsupported() {
        SimIommu.Features bare = SimIommu.Features.defaults().withDirtyTracking(false).withNesting(false, false);
        return Stream.of(
                Arguments.of("dirty tracking without IOMMU support", bare, (ToIntFunction<Rig>) r ->
                        r.hwpt(HwptAlloc.DIRTY_TRACKING)),
                Arguments.of("nest parent without nesting", bare, (ToIntFunction<Rig>) r ->
                        r.hwpt(HwptAlloc.NEST_PARENT)),
                Arguments.of("driver data on a paging HWPT", SimIommu.Features.defaults(), (ToIntFunction<Rig>) r ->
                        r.fd.allocHwpt(alloc(r, 0, r.ioas, 1, 24, 0, 0))),
                Arguments.of("nested HWPT without nesting on the IOMMU", bare, (ToIntFunction<Rig>) r ->
                        r.fd.allocHwpt(HwptAlloc.nested(r.devId, r.hwpt(0), 0))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void hwptUnsupported(String name, SimIommu.Features features, ToIntFunction<Rig> action) {
        SimHost host = SimHost.builder().iommu(features).function(Devices.PF, Devices.sriovPf()).build();
        try (Rig r = new Rig(host, Devices.PF)) {
            expect(Rule.HWPT_UNSUPPORTED, () -> action.applyAsInt(r));
        }
    }

    /**
     * iommufd_fops_release: closing /dev/iommu destroys every object left, but not while a device is
     * bound (vfio's bind holds the context); the kernel leaves nothing behind either way.
     */
    @org.junit.jupiter.api.Test
    void closingTheIommufdDestroysEveryObjectOnceNoDeviceIsBound() {
        Rig r = Rig.of(Devices.sriovPf());
        int h = r.pasidHwpt();
        r.dev.attachPt(h);
        r.fd.close();
        assertThat(r.fd.objectCount()).as("the bound device keeps the context and its objects").isEqualTo(3);
        r.dev.close();
        assertThat(r.fd.objectCount()).isZero();
    }

    /**
     * ALLOC_PASID only marks the domain PASID-compatible for iommufd: VT-d allocates it whether or
     * not the IOMMU or the device has PASID (intel_iommu_domain_alloc_first_stage and _second_stage
     * accept the flag; Linux 7.3.4 allocates one for an e1000e). AMD would refuse it without PASID
     * (amd_iommu_domain_alloc_paging_flags: EOPNOTSUPP); the model is VT-d.
     */
    @org.junit.jupiter.api.Test
    void hwptUnsupportedIsNotAllocPasidOnVtd() {
        SimHost host = SimHost.builder().iommu(SimIommu.Features.defaults().withPasid(false))
                .function(Devices.PF, Devices.plainEndpoint()).build();
        try (Rig r = new Rig(host, Devices.PF)) {
            int h = r.pasidHwpt();
            assertThat(r.dev.attachPt(h)).isEqualTo(h);
        }
    }

    static Stream<Arguments> hwptParentNotNestParent() {
        return cases(
                new Case("parent without NEST_PARENT", r -> r.fd.allocHwpt(HwptAlloc.nested(r.devId, r.hwpt(0), 0)),
                        Rule.HWPT_PARENT_NOT_NEST_PARENT),
                new Case("parent is an automatic domain", r -> r.fd.allocHwpt(HwptAlloc.nested(r.devId,
                        r.dev.attachPt(r.ioas), 0)), Rule.HWPT_PARENT_NOT_NEST_PARENT),
                new Case("parent with NEST_PARENT", r -> r.fd.allocHwpt(HwptAlloc.nested(r.devId,
                        r.hwpt(HwptAlloc.NEST_PARENT), 0)), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void hwptParentNotNestParent(Case c) {
        c.run();
    }

    static Stream<Arguments> hwptBadPt() {
        return cases(
                new Case("pt_id does not exist", r -> r.fd.allocHwpt(HwptAlloc.paging(r.devId, 999, 0)),
                        Rule.HWPT_BAD_PT),
                new Case("pt_id is a nested HWPT", r -> r.fd.allocHwpt(HwptAlloc.nested(r.devId,
                        r.fd.allocHwpt(HwptAlloc.nested(r.devId, r.hwpt(HwptAlloc.NEST_PARENT), 0)), 0)), Rule.HWPT_BAD_PT),
                new Case("pt_id is a fault queue", r -> r.fd.allocHwpt(HwptAlloc.paging(r.devId, r.fd.allocFaultQueue(),
                        0)), Rule.HWPT_BAD_PT),
                new Case("pt_id is the device", r -> r.fd.allocHwpt(HwptAlloc.paging(r.devId, r.devId, 0)),
                        Rule.HWPT_BAD_PT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void hwptBadPt(Case c) {
        c.run();
    }

    // ------------------------------------------------------------------ objects

    static Stream<Arguments> noSuchObject() {
        return cases(
                new Case("attach to an unknown pt_id", r -> r.dev.attachPt(999), Rule.NO_SUCH_OBJECT),
                new Case("attach a PASID to an unknown pt_id", r -> r.dev.attachPasidPt(1, 999), Rule.NO_SUCH_OBJECT),
                new Case("HWPT for an unknown dev_id", r -> r.fd.allocHwpt(HwptAlloc.paging(999, r.ioas, 0)),
                        Rule.NO_SUCH_OBJECT),
                new Case("HWPT for a dev_id that is an IOAS", r -> r.fd.allocHwpt(HwptAlloc.paging(r.ioas, r.ioas, 0)),
                        Rule.NO_SUCH_OBJECT),
                new Case("fault-capable HWPT with an unknown fault_id", r -> r.fd.allocHwpt(
                        HwptAlloc.pagingWithFault(r.devId, r.ioas, 0, 999)), Rule.NO_SUCH_OBJECT),
                new Case("GET_HW_INFO of an unknown dev_id", r -> r.fd.getHwInfo(999).maxPasidLog2(), Rule.NO_SUCH_OBJECT),
                new Case("destroy an unknown ID", r -> {
                    r.fd.destroy(999);
                    return 0;
                }, Rule.NO_SUCH_OBJECT),
                new Case("attach to a destroyed HWPT", r -> {
                    int h = r.hwpt(0);
                    r.fd.destroy(h);
                    return r.dev.attachPt(h);
                }, Rule.NO_SUCH_OBJECT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void noSuchObject(Case c) {
        c.run();
    }

    static Stream<Arguments> ptWrongType() {
        return cases(
                new Case("RID to a fault queue", r -> r.dev.attachPt(r.fd.allocFaultQueue()), Rule.PT_WRONG_TYPE),
                new Case("RID to a device", r -> r.dev.attachPt(r.devId), Rule.PT_WRONG_TYPE),
                new Case("PASID to a fault queue", r -> r.dev.attachPasidPt(1, r.fd.allocFaultQueue()),
                        Rule.PT_WRONG_TYPE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void ptWrongType(Case c) {
        c.run();
    }

    static Stream<Arguments> objectBusy() {
        return cases(
                new Case("an attached HWPT", r -> {
                    int h = r.pasidHwpt();
                    r.dev.attachPasidPt(1, h);
                    r.fd.destroy(h);
                    return 0;
                }, Rule.OBJECT_BUSY),
                new Case("an IOAS with a HWPT", r -> {
                    r.hwpt(0);
                    r.fd.destroy(r.ioas);
                    return 0;
                }, Rule.OBJECT_BUSY),
                new Case("a nest parent with a nested HWPT", r -> {
                    int parent = r.hwpt(HwptAlloc.NEST_PARENT);
                    r.fd.allocHwpt(HwptAlloc.nested(r.devId, parent, 0));
                    r.fd.destroy(parent);
                    return 0;
                }, Rule.OBJECT_BUSY),
                new Case("a fault queue a HWPT uses", r -> {
                    int q = r.fd.allocFaultQueue();
                    r.fd.allocHwpt(HwptAlloc.pagingWithFault(r.devId, r.ioas, 0, q));
                    r.fd.destroy(q);
                    return 0;
                }, Rule.OBJECT_BUSY),
                new Case("a bound device", r -> {
                    r.fd.destroy(r.devId);
                    return 0;
                }, Rule.OBJECT_BUSY),
                new Case("a detached HWPT, then its IOAS", r -> {
                    int h = r.pasidHwpt();
                    r.dev.attachPasidPt(1, h);
                    r.dev.detachPasidPt(1);
                    r.fd.destroy(h);
                    r.fd.destroy(r.ioas);
                    return 0;
                }, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void objectBusy(Case c) {
        c.run();
    }

    static Stream<Arguments> alreadyAttached() {
        return cases(new Case("iommufd attach of an attached PASID (vfio turns it into a replace)", r -> {
            int h = r.pasidHwpt();
            r.dev.attachPasidPt(4, h);
            synchronized (r.dev.iommuDevice().group()) {
                return r.fd.attach(idev(r), 4, h);
            }
        }, Rule.ALREADY_ATTACHED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void alreadyAttached(Case c) {
        c.run();
    }

    static Stream<Arguments> notAttached() {
        return cases(
                new Case("iommufd replace of a PASID that is not attached", r -> {
                    synchronized (r.dev.iommuDevice().group()) {
                        return r.fd.replace(idev(r), 4, r.pasidHwpt());
                    }
                }, Rule.NOT_ATTACHED),
                new Case("iommufd replace of a RID that is not attached", r -> {
                    synchronized (r.dev.iommuDevice().group()) {
                        return r.fd.replace(idev(r), 0, r.pasidHwpt());
                    }
                }, Rule.NOT_ATTACHED));
    }

    private static SimIommufd.Idev idev(Rig r) {
        return r.dev.iommuDevice().group().bound[0];
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void notAttached(Case c) {
        c.run();
    }

    // ------------------------------------------------------------------ groups

    private static final PciAddress FN1 = PciAddress.parse("0000:05:00.0");
    private static final PciAddress FN2 = PciAddress.parse("0000:05:00.1");

    private static SimHost twoInOneGroup() {
        return SimHost.builder().function(FN1, Devices.pasidEndpoint(8)).function(FN2, Devices.pasidEndpoint(8))
                .group(FN1, FN2).build();
    }

    static Stream<Arguments> groupAttachedElsewhere() {
        return Stream.of(
                Arguments.of("RID: the second device to another HWPT", 0, false, Rule.GROUP_ATTACHED_ELSEWHERE),
                Arguments.of("PASID: the second device to another HWPT", 5, false, Rule.GROUP_ATTACHED_ELSEWHERE),
                Arguments.of("RID: the second device joins the same HWPT", 0, true, null),
                Arguments.of("PASID: the second device joins the same HWPT", 5, true, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void groupAttachedElsewhere(String name, int pasid, boolean same, Rule rule) {
        SimHost host = twoInOneGroup();
        SimVfioDevice a = host.openDevice(FN1);
        try (var fd = host.openIommufd(); var b = host.openDevice(FN2)) {
            int devA = a.bind(fd);
            b.bind(fd);
            int ioas = fd.allocIoas();
            int h1 = fd.allocHwpt(HwptAlloc.paging(devA, ioas, HwptAlloc.PASID));
            int h2 = same ? h1 : fd.allocHwpt(HwptAlloc.paging(devA, ioas, HwptAlloc.PASID));
            if (pasid == 0) {
                a.attachPt(h1);
            } else {
                a.attachPasidPt(pasid, h1);
            }
            if (rule == null) {
                int got = pasid == 0 ? b.attachPt(h2) : b.attachPasidPt(pasid, h2);
                assertThat(got).isEqualTo(h1);
                a.close(); // b still holds the group's attachment
                assertThat(pasid == 0 ? b.iommuDevice().ridDomain() : b.iommuDevice().pasidDomain(pasid)).isEqualTo(h1);
            } else {
                expect(rule, () -> {
                    if (pasid == 0) {
                        b.attachPt(h2);
                    } else {
                        b.attachPasidPt(pasid, h2);
                    }
                });
            }
        } finally {
            a.close();
        }
    }

    static Stream<Arguments> groupOwnedElsewhere() {
        return Stream.of(Arguments.of("second device of the group, another iommufd", true),
                Arguments.of("second device of the group, the same iommufd", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void groupOwnedElsewhere(String name, boolean otherContext) {
        SimHost host = twoInOneGroup();
        try (var fd1 = host.openIommufd(); var fd2 = host.openIommufd(); var a = host.openDevice(FN1);
                var b = host.openDevice(FN2)) {
            a.bind(fd1);
            if (otherContext) {
                expect(Rule.GROUP_OWNED_ELSEWHERE, () -> b.bind(fd2));
            } else {
                assertThat(b.bind(fd1)).isPositive();
            }
        }
    }

    static Stream<Arguments> pasidDomainUnsupported() {
        return Stream.of(Arguments.of(false, 3, Rule.PASID_DOMAIN_UNSUPPORTED), Arguments.of(true, 3, null),
                // iommu_attach_device_pasid checks set_dev_pasid before the width
                Arguments.of(false, 1 << 20, Rule.PASID_DOMAIN_UNSUPPORTED),
                Arguments.of(true, 1 << 20, Rule.PASID_BEYOND_WIDTH));
    }

    @ParameterizedTest(name = "nested domains on PASIDs supported: {0}, PASID {1}")
    @MethodSource
    void pasidDomainUnsupported(boolean nestedPasid, int pasid, Rule rule) {
        SimHost host = SimHost.builder().iommu(SimIommu.Features.defaults().withNesting(true, nestedPasid))
                .function(Devices.PF, Devices.sriovPf()).build();
        try (Rig r = new Rig(host, Devices.PF)) {
            int nested = r.fd.allocHwpt(HwptAlloc.nested(r.devId, r.hwpt(HwptAlloc.NEST_PARENT), HwptAlloc.PASID));
            if (rule == null) {
                assertThat(r.dev.attachPasidPt(pasid, nested)).isEqualTo(nested);
            } else {
                expect(rule, () -> r.dev.attachPasidPt(pasid, nested));
                assertThat(r.hw(pasid)).isZero();
            }
        }
    }

    // ------------------------------------------------------------------ vfio device files

    static Stream<Arguments> notBound() {
        return Stream.<Arguments>of(
                Arguments.of("attach RID", (ToIntFunction<SimVfioDevice>) d -> d.attachPt(1)),
                Arguments.of("attach PASID", (ToIntFunction<SimVfioDevice>) d -> d.attachPasidPt(1, 1)),
                Arguments.of("detach RID", (ToIntFunction<SimVfioDevice>) d -> {
                    d.detachPt();
                    return 0;
                }),
                Arguments.of("detach PASID", (ToIntFunction<SimVfioDevice>) d -> {
                    d.detachPasidPt(1);
                    return 0;
                }),
                Arguments.of("reset", (ToIntFunction<SimVfioDevice>) d -> {
                    d.reset();
                    return 0;
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void notBound(String name, ToIntFunction<SimVfioDevice> action) {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        try (var dev = host.openDevice(Devices.PF)) {
            expect(Rule.NOT_BOUND, () -> action.applyAsInt(dev));
        }
    }

    static Stream<Arguments> alreadyBound() {
        return Stream.of(Arguments.of("the same file twice", true), Arguments.of("a second file of the device", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void alreadyBound(String name, boolean sameFile) {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        try (var fd = host.openIommufd(); var dev = host.openDevice(Devices.PF); var other = host.openDevice(Devices.PF)) {
            dev.bind(fd);
            expect(Rule.ALREADY_BOUND, () -> (sameFile ? dev : other).bind(fd));
        }
    }

    static Stream<Arguments> noSuchDevice() {
        return Stream.of(Arguments.of("0000:09:00.0"), Arguments.of("0001:03:00.0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void noSuchDevice(String address) {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        expect(Rule.NO_SUCH_DEVICE, () -> host.openDevice(PciAddress.parse(address)));
    }

    static Stream<Arguments> headerTypeNotNormal() {
        return Stream.of(
                Arguments.of("root port (type 1)", ConfigSpaceBuilder.bridge(0x8086, 0x7A38)
                        .pcie(0x40, DeviceTraits.PCIE_ROOT_PORT).build()),
                Arguments.of("CardBus bridge (type 2)", ConfigSpaceBuilder.endpoint(0x1180, 0x0476)
                        .with((c, at) -> c.setU8(Header.HEADER_TYPE, Header.TYPE_CARDBUS)).build()),
                Arguments.of("multi-function root port (0x81)", ConfigSpaceBuilder.bridge(0x8086, 0x7A38)
                        .with((c, at) -> c.setU8(Header.HEADER_TYPE, Header.HEADER_TYPE_MULTIFUNCTION | 1)).build()));
    }

    /** vfio_pci_core_register_device: vfio-pci does not bind a function whose header type is not 0. */
    @ParameterizedTest(name = "{0}")
    @MethodSource
    void headerTypeNotNormal(String name, ConfigSpace bridge) {
        PciAddress port = PciAddress.parse("00:1c.0");
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).function(port, bridge).build();
        assertThat(host.devices()).containsExactly(Devices.PF);
        expect(Rule.HEADER_TYPE_NOT_NORMAL, () -> host.openDevice(port));
        expect(Rule.HEADER_TYPE_NOT_NORMAL, () -> SimHost.vfioView(new DeviceImage(port, name, bridge, "built")));
        host.openDevice(Devices.PF).close();
    }
}
