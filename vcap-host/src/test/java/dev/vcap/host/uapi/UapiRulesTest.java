package dev.vcap.host.uapi;

import static dev.vcap.host.testing.Errnos.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.HwInfo;
import dev.vcap.host.HwptAlloc;
import dev.vcap.host.Rule;
import dev.vcap.host.sim.SimHost;
import dev.vcap.host.sim.SimIommufd;
import dev.vcap.host.sim.SimVfioDevice;
import dev.vcap.host.testing.Devices;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The argument rules of the four ioctls at the byte level, through {@link UapiIoctls} on a
 * simulated host: one table-driven test per rule, each row a buffer and the expected outcome.
 */
class UapiRulesTest {

    /** A bound PASID-capable device with a PASID-compatible HWPT, and the raw ioctls on it. */
    static final class World implements AutoCloseable {
        final Arena arena = Arena.ofConfined();
        final SimHost host;
        final SimIommufd fd;
        final SimVfioDevice dev;
        final int devId;
        final int ioas;
        final int hwpt;

        World(boolean pasidOps) {
            host = SimHost.builder().pasidOps(pasidOps).function(Devices.PF, Devices.sriovPf()).build();
            fd = host.openIommufd();
            dev = host.openDevice(Devices.PF);
            devId = dev.bind(fd);
            ioas = fd.allocIoas();
            hwpt = fd.allocHwpt(HwptAlloc.paging(devId, ioas, HwptAlloc.PASID));
        }

        MemorySegment ints(long bytes, int... values) {
            MemorySegment s = arena.allocate(bytes, 8);
            for (int i = 0; i < values.length; i++) {
                s.set(ValueLayout.JAVA_INT_UNALIGNED, 4L * i, values[i]);
            }
            return s;
        }

        @Override
        public void close() {
            dev.close();
            arena.close();
        }
    }

    /** One row: a buffer builder, the ioctl, the expected rule (null: success) and a check on success. */
    record Row(String name, boolean pasidOps, java.util.function.Function<World, MemorySegment> buffer,
            BiConsumer<World, MemorySegment> ioctl, Rule rule, BiConsumer<World, MemorySegment> then) {

        Row(String name, java.util.function.Function<World, MemorySegment> buffer, BiConsumer<World, MemorySegment> ioctl,
                Rule rule) {
            this(name, true, buffer, ioctl, rule, (w, s) -> { });
        }

        @Override
        public String toString() {
            return name;
        }

        void run() {
            try (World w = new World(pasidOps)) {
                MemorySegment s = buffer.apply(w);
                if (rule == null) {
                    ioctl.accept(w, s);
                    then.accept(w, s);
                } else {
                    expect(rule, () -> ioctl.accept(w, s));
                }
            }
        }
    }

    private static final BiConsumer<World, MemorySegment> ATTACH = (w, s) -> UapiIoctls.attachIommufdPt(w.dev, s);
    private static final BiConsumer<World, MemorySegment> DETACH = (w, s) -> UapiIoctls.detachIommufdPt(w.dev, s);
    private static final BiConsumer<World, MemorySegment> HW_INFO = (w, s) -> UapiIoctls.getHwInfo(w.fd, s);
    private static final BiConsumer<World, MemorySegment> HWPT_ALLOC = (w, s) -> UapiIoctls.hwptAlloc(w.fd, s);

    private static Stream<Arguments> rows(Row... rows) {
        return Stream.of(rows).map(Arguments::of);
    }

    static Stream<Arguments> userBufferFault() {
        return rows(
                new Row("attach: 8-byte buffer", w -> w.ints(8, 16, 0), ATTACH, Rule.USER_BUFFER_FAULT),
                new Row("attach with PASID: 12-byte buffer, argsz 16", w -> w.ints(12, 16, 1, w.hwpt), ATTACH,
                        Rule.USER_BUFFER_FAULT),
                new Row("detach: 4-byte buffer", w -> w.ints(4, 12), DETACH, Rule.USER_BUFFER_FAULT),
                new Row("hw_info: size 40 in a 32-byte buffer", w -> w.ints(32, 40, 0, w.devId), HW_INFO,
                        Rule.USER_BUFFER_FAULT),
                new Row("hwpt_alloc: 2-byte buffer", w -> w.arena.allocate(2), HWPT_ALLOC, Rule.USER_BUFFER_FAULT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void userBufferFault(Row r) {
        r.run();
    }

    static Stream<Arguments> argszBelowMinimum() {
        return rows(
                new Row("attach argsz 0", w -> w.ints(16, 0, 0, w.hwpt), ATTACH, Rule.ARGSZ_BELOW_MINIMUM),
                new Row("attach argsz 11", w -> w.ints(16, 11, 0, w.hwpt), ATTACH, Rule.ARGSZ_BELOW_MINIMUM),
                new Row("detach argsz 7", w -> w.ints(12, 7, 0), DETACH, Rule.ARGSZ_BELOW_MINIMUM),
                new Row("attach argsz 12 (the minimum)", true, w -> w.ints(16, 12, 0, w.hwpt), ATTACH, null,
                        (w, s) -> assertThat(w.dev.attachedHwpt(0)).isEqualTo(w.hwpt)),
                new Row("detach argsz 8 (the minimum)", w -> w.ints(12, 8, 0), DETACH, null),
                new Row("attach argsz 4096 (larger is fine)", w -> w.ints(16, 4096, 0, w.hwpt), ATTACH, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void argszBelowMinimum(Row r) {
        r.run();
    }

    static Stream<Arguments> unknownFlags() {
        return rows(
                new Row("attach flags 2", w -> w.ints(16, 16, 2, w.hwpt, 1), ATTACH, Rule.UNKNOWN_FLAGS),
                new Row("attach flags 0x80000001", w -> w.ints(16, 16, 0x8000_0001, w.hwpt, 1), ATTACH, Rule.UNKNOWN_FLAGS),
                new Row("detach flags 4", w -> w.ints(12, 12, 4, 1), DETACH, Rule.UNKNOWN_FLAGS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void unknownFlags(Row r) {
        r.run();
    }

    /**
     * Linux before 6.15 (6.12's device_cdev.c: {@code attach.argsz < minsz || attach.flags}) knows no
     * PASID flag: VFIO_DEVICE_ATTACH_PASID / DETACH_PASID are unknown flags (EINVAL, whatever the
     * argsz), and IOMMU_HWPT_ALLOC_PASID is outside iommufd_hwpt_paging_alloc's valid flags
     * (EOPNOTSUPP). Linux 6.12.118 answers so (the uAPI differential, kernel/harness.sh).
     */
    @org.junit.jupiter.api.Test
    void unknownFlagsBefore615() {
        SimHost host = SimHost.builder().pasidUapi(false).function(Devices.PF, Devices.sriovPf()).build();
        try (Arena arena = Arena.ofConfined(); var fd = host.openIommufd(); var dev = host.openDevice(Devices.PF)) {
            int devId = dev.bind(fd);
            int ioas = fd.allocIoas();
            int hwpt = fd.allocHwpt(HwptAlloc.paging(devId, ioas, 0));
            assertThat(dev.pasidFlagKnown()).isFalse();
            MemorySegment attach = arena.allocate(16);
            VfioDeviceAttachIommufdPt.encode(attach, new VfioDeviceAttachIommufdPt.Args(16, 1, hwpt, 1));
            expect(Rule.UNKNOWN_FLAGS, () -> UapiIoctls.attachIommufdPt(dev, attach));
            VfioDeviceAttachIommufdPt.encode(attach, new VfioDeviceAttachIommufdPt.Args(12, 1, hwpt, 1));
            expect(Rule.UNKNOWN_FLAGS, () -> UapiIoctls.attachIommufdPt(dev, attach));
            MemorySegment detach = arena.allocate(12);
            detach.set(ValueLayout.JAVA_INT, 0, 12);
            detach.set(ValueLayout.JAVA_INT, 4, 1);
            expect(Rule.UNKNOWN_FLAGS, () -> UapiIoctls.detachIommufdPt(dev, detach));
            expect(Rule.UNKNOWN_FLAGS, () -> dev.attachPasidPt(1, hwpt));
            expect(Rule.HWPT_UNKNOWN_FLAGS, () -> fd.allocHwpt(HwptAlloc.paging(devId, ioas, HwptAlloc.PASID)));
            assertThat(dev.attachPt(hwpt)).isEqualTo(hwpt);
        }
    }

    static Stream<Arguments> argszTooSmallForPasid() {
        return rows(
                new Row("attach PASID argsz 12", w -> w.ints(16, 12, 1, w.hwpt, 3), ATTACH, Rule.ARGSZ_TOO_SMALL_FOR_PASID),
                new Row("attach PASID argsz 15", w -> w.ints(16, 15, 1, w.hwpt, 3), ATTACH, Rule.ARGSZ_TOO_SMALL_FOR_PASID),
                new Row("detach PASID argsz 11", w -> w.ints(12, 11, 1, 3), DETACH, Rule.ARGSZ_TOO_SMALL_FOR_PASID),
                new Row("attach PASID 0 to the IOAS, argsz 16: pt_id comes back as the RID's automatic domain", true,
                        w -> w.ints(16, 16, 1, w.ioas, 0), ATTACH, null,
                        (w, s) -> assertThat(s.get(ValueLayout.JAVA_INT, 8)).isEqualTo(w.dev.attachedHwpt(0))
                                .isNotEqualTo(w.ioas)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void argszTooSmallForPasid(Row r) {
        r.run();
    }

    static Stream<Arguments> pasidOpsMissing() {
        return rows(
                new Row("attach with PASID", false, w -> w.ints(16, 16, 1, w.hwpt, 3), ATTACH, Rule.PASID_OPS_MISSING,
                        (w, s) -> { }),
                new Row("attach with PASID and a short argsz: EOPNOTSUPP comes first", false,
                        w -> w.ints(16, 12, 1, w.hwpt, 3), ATTACH, Rule.PASID_OPS_MISSING, (w, s) -> { }),
                new Row("detach with PASID", false, w -> w.ints(12, 12, 1, 3), DETACH, Rule.PASID_OPS_MISSING,
                        (w, s) -> { }),
                new Row("attach without PASID still works", false, w -> w.ints(16, 16, 0, w.hwpt), ATTACH, null,
                        (w, s) -> { }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void pasidOpsMissing(Row r) {
        r.run();
    }

    static Stream<Arguments> sizeBelowMinimum() {
        return rows(
                new Row("hw_info size 31", w -> w.ints(40, 31, 0, w.devId), HW_INFO, Rule.SIZE_BELOW_MINIMUM),
                new Row("hwpt_alloc size 23", w -> w.ints(48, 23, 0, w.devId, w.ioas), HWPT_ALLOC, Rule.SIZE_BELOW_MINIMUM),
                new Row("hw_info size 32 (before out_capabilities)", w -> w.ints(40, 32, 0, w.devId), HW_INFO, null),
                new Row("hwpt_alloc size 24 (before the data fields)", true, w -> w.ints(48, 24, 0, w.devId, w.ioas),
                        HWPT_ALLOC, null, (w, s) -> assertThat(IommuHwptAlloc.outHwptId(s)).isGreaterThan(w.hwpt)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void sizeBelowMinimum(Row r) {
        r.run();
    }

    static Stream<Arguments> nonzeroTrailingBytes() {
        return rows(
                new Row("hw_info size 48 with a non-zero byte at 44", w -> {
                    MemorySegment s = w.ints(48, 48, 0, w.devId);
                    s.set(ValueLayout.JAVA_BYTE, 44, (byte) 1);
                    return s;
                }, HW_INFO, Rule.NONZERO_TRAILING_BYTES),
                new Row("hwpt_alloc size 56 with a non-zero dword at 48", w -> {
                    MemorySegment s = w.ints(56, 56, 0, w.devId, w.ioas);
                    s.set(ValueLayout.JAVA_INT, 48, 5);
                    return s;
                }, HWPT_ALLOC, Rule.NONZERO_TRAILING_BYTES),
                new Row("hw_info size 64, zero tail", w -> w.ints(64, 64, 0, w.devId), HW_INFO, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void nonzeroTrailingBytes(Row r) {
        r.run();
    }

    static Stream<Arguments> hwInfoFlagsOrReserved() {
        return rows(
                new Row("flags 1", w -> w.ints(40, 40, 1, w.devId), HW_INFO, Rule.HW_INFO_FLAGS_OR_RESERVED),
                new Row("reserved byte 29", w -> {
                    MemorySegment s = w.ints(40, 40, 0, w.devId);
                    s.set(ValueLayout.JAVA_BYTE, 29, (byte) 1);
                    return s;
                }, HW_INFO, Rule.HW_INFO_FLAGS_OR_RESERVED),
                new Row("reserved byte 31", w -> {
                    MemorySegment s = w.ints(40, 40, 0, w.devId);
                    s.set(ValueLayout.JAVA_BYTE, 31, (byte) 0x80);
                    return s;
                }, HW_INFO, Rule.HW_INFO_FLAGS_OR_RESERVED),
                new Row("clean request answers", true, w -> w.ints(40, 40, 0, w.devId), HW_INFO, null,
                        (w, s) -> assertThat(IommuHwInfo.readResponse(s)).isEqualTo(
                                new HwInfo(HwInfo.TYPE_INTEL_VTD, 24, 20, HwInfo.CAP_DIRTY_TRACKING
                                        | HwInfo.CAP_PCI_PASID_EXEC | HwInfo.CAP_PCI_PASID_PRIV))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void hwInfoFlagsOrReserved(Row r) {
        r.run();
    }
}
