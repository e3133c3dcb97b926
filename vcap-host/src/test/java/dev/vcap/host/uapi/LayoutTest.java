package dev.vcap.host.uapi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.HwInfo;
import dev.vcap.host.HwptAlloc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every field's byteOffset and byteSize, and every struct's size, pinned to the Linux 6.15 headers. */
class LayoutTest {

    static Stream<Arguments> fields() {
        return Stream.of(
                Arguments.of(VfioDeviceAttachIommufdPt.LAYOUT, "argsz", 0, 4),
                Arguments.of(VfioDeviceAttachIommufdPt.LAYOUT, "flags", 4, 4),
                Arguments.of(VfioDeviceAttachIommufdPt.LAYOUT, "pt_id", 8, 4),
                Arguments.of(VfioDeviceAttachIommufdPt.LAYOUT, "pasid", 12, 4),
                Arguments.of(VfioDeviceDetachIommufdPt.LAYOUT, "argsz", 0, 4),
                Arguments.of(VfioDeviceDetachIommufdPt.LAYOUT, "flags", 4, 4),
                Arguments.of(VfioDeviceDetachIommufdPt.LAYOUT, "pasid", 8, 4),
                Arguments.of(IommuHwInfo.LAYOUT, "size", 0, 4),
                Arguments.of(IommuHwInfo.LAYOUT, "flags", 4, 4),
                Arguments.of(IommuHwInfo.LAYOUT, "dev_id", 8, 4),
                Arguments.of(IommuHwInfo.LAYOUT, "data_len", 12, 4),
                Arguments.of(IommuHwInfo.LAYOUT, "data_uptr", 16, 8),
                Arguments.of(IommuHwInfo.LAYOUT, "out_data_type", 24, 4),
                Arguments.of(IommuHwInfo.LAYOUT, "out_max_pasid_log2", 28, 1),
                Arguments.of(IommuHwInfo.LAYOUT, "__reserved", 29, 3),
                Arguments.of(IommuHwInfo.LAYOUT, "out_capabilities", 32, 8),
                Arguments.of(IommuHwptAlloc.LAYOUT, "size", 0, 4),
                Arguments.of(IommuHwptAlloc.LAYOUT, "flags", 4, 4),
                Arguments.of(IommuHwptAlloc.LAYOUT, "dev_id", 8, 4),
                Arguments.of(IommuHwptAlloc.LAYOUT, "pt_id", 12, 4),
                Arguments.of(IommuHwptAlloc.LAYOUT, "out_hwpt_id", 16, 4),
                Arguments.of(IommuHwptAlloc.LAYOUT, "__reserved", 20, 4),
                Arguments.of(IommuHwptAlloc.LAYOUT, "data_type", 24, 4),
                Arguments.of(IommuHwptAlloc.LAYOUT, "data_len", 28, 4),
                Arguments.of(IommuHwptAlloc.LAYOUT, "data_uptr", 32, 8),
                Arguments.of(IommuHwptAlloc.LAYOUT, "fault_id", 40, 4),
                Arguments.of(IommuHwptAlloc.LAYOUT, "__reserved2", 44, 4));
    }

    @ParameterizedTest(name = "{0}.{1} at {2}, {3} bytes")
    @MethodSource("fields")
    void fieldOffsetAndSize(StructLayout layout, String field, long offset, long size) {
        assertThat(layout.byteOffset(groupElement(field))).isEqualTo(offset);
        assertThat(layout.select(groupElement(field)).byteSize()).isEqualTo(size);
    }

    static Stream<Arguments> structs() {
        return Stream.of(
                Arguments.of(VfioDeviceAttachIommufdPt.LAYOUT, "vfio_device_attach_iommufd_pt", 16, 4, 12),
                Arguments.of(VfioDeviceDetachIommufdPt.LAYOUT, "vfio_device_detach_iommufd_pt", 12, 4, 8),
                Arguments.of(IommuHwInfo.LAYOUT, "iommu_hw_info", 40, 8, 32),
                Arguments.of(IommuHwptAlloc.LAYOUT, "iommu_hwpt_alloc", 48, 8, 24));
    }

    @ParameterizedTest(name = "{1}: {2} bytes, aligned {3}, minimum {4}")
    @MethodSource("structs")
    void structSizeAlignmentAndMinimum(StructLayout layout, String name, long size, long alignment, long minimum) {
        assertThat(layout.name()).contains(name);
        assertThat(layout.byteSize()).isEqualTo(size);
        assertThat(layout.byteAlignment()).isEqualTo(alignment);
        long min = switch (name) {
            case "vfio_device_attach_iommufd_pt" -> VfioDeviceAttachIommufdPt.MIN_SIZE;
            case "vfio_device_detach_iommufd_pt" -> VfioDeviceDetachIommufdPt.MIN_SIZE;
            case "iommu_hw_info" -> IommuHwInfo.MIN_SIZE;
            default -> IommuHwptAlloc.MIN_SIZE;
        };
        assertThat(min).isEqualTo(minimum);
    }

    @Test
    void attachEncodesLittleEndianAtTheHeaderOffsets() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(VfioDeviceAttachIommufdPt.LAYOUT);
            VfioDeviceAttachIommufdPt.encode(s, new VfioDeviceAttachIommufdPt.Args(16, 1, 0x11223344, 0x000ABCDE));
            assertThat(s.toArray(ValueLayout.JAVA_BYTE)).containsExactly(
                    16, 0, 0, 0, 1, 0, 0, 0, 0x44, 0x33, 0x22, 0x11, (byte) 0xDE, (byte) 0xBC, 0x0A, 0);
            assertThat(VfioDeviceAttachIommufdPt.decode(s, true))
                    .isEqualTo(new VfioDeviceAttachIommufdPt.Args(16, 1, 0x11223344, 0x000ABCDE));
        }
    }

    @Test
    void detachRoundTrips() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(VfioDeviceDetachIommufdPt.LAYOUT);
            VfioDeviceDetachIommufdPt.Args a = VfioDeviceDetachIommufdPt.request(0xFFFFF);
            VfioDeviceDetachIommufdPt.encode(s, a);
            assertThat(s.get(ValueLayout.JAVA_INT, 8)).isEqualTo(0xFFFFF);
            assertThat(VfioDeviceDetachIommufdPt.decode(s, true)).isEqualTo(a);
        }
    }

    @Test
    void hwptAllocRoundTripsAndAnswersOutHwptId() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(IommuHwptAlloc.LAYOUT);
            HwptAlloc r = new HwptAlloc(HwptAlloc.PASID | HwptAlloc.FAULT_ID_VALID, 3, 4, 0, 0, 9, 0);
            IommuHwptAlloc.encode(s, r);
            assertThat(s.get(ValueLayout.JAVA_INT, 0)).isEqualTo(48);
            assertThat(s.get(ValueLayout.JAVA_INT, 40)).isEqualTo(9);
            assertThat(IommuHwptAlloc.decode(s)).isEqualTo(r);
            IommuHwptAlloc.respond(s, 77);
            assertThat(IommuHwptAlloc.outHwptId(s)).isEqualTo(77);
        }
    }

    @Test
    void hwInfoResponseFillsTheOutputFields() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(IommuHwInfo.LAYOUT);
            IommuHwInfo.Request req = IommuHwInfo.request(5);
            IommuHwInfo.encode(s, req);
            assertThat(IommuHwInfo.decode(s)).isEqualTo(req);
            HwInfo info = new HwInfo(HwInfo.TYPE_INTEL_VTD, 24, 20, HwInfo.CAP_PCI_PASID_PRIV | HwInfo.CAP_DIRTY_TRACKING);
            IommuHwInfo.respond(s, req, info);
            assertThat(s.get(ValueLayout.JAVA_BYTE, 28)).isEqualTo((byte) 20);
            assertThat(s.get(ValueLayout.JAVA_LONG, 32)).isEqualTo(5L);
            assertThat(IommuHwInfo.readResponse(s)).isEqualTo(info);
        }
    }

    @Test
    void hwInfoResponseStopsAtTheUsersSize() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(IommuHwInfo.LAYOUT);
            IommuHwInfo.Request req = new IommuHwInfo.Request(32, 0, 5, 0, 0, 0);
            IommuHwInfo.encode(s, req);
            s.set(ValueLayout.JAVA_LONG, 32, -1L);
            IommuHwInfo.respond(s, req, new HwInfo(1, 24, 20, 7));
            assertThat(s.get(ValueLayout.JAVA_LONG, 32)).as("out_capabilities is past the user's 32 bytes").isEqualTo(-1L);
            assertThat(s.get(ValueLayout.JAVA_BYTE, 28)).isEqualTo((byte) 20);
        }
    }
}
