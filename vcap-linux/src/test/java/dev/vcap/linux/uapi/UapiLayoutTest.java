package dev.vcap.linux.uapi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.uapi.IommuHwInfo;
import dev.vcap.host.uapi.IommuHwptAlloc;
import dev.vcap.host.uapi.VfioDeviceAttachIommufdPt;
import dev.vcap.host.uapi.VfioDeviceDetachIommufdPt;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every structure's size and alignment, and every field's offset and size, pinned to what gcc printed
 * (sizeof, _Alignof, offsetof) from the Linux 7.3 headers on x86-64. The four structures vcap-host's
 * codecs own are checked here too, against the same headers, since the Linux host passes them.
 */
class UapiLayoutTest {

    static Stream<Arguments> structs() {
        return Stream.of(
                Arguments.of(VfioGroupStatus.LAYOUT, "vfio_group_status", 8, 4),
                Arguments.of(VfioDeviceInfo.LAYOUT, "vfio_device_info", 24, 4),
                Arguments.of(VfioRegionInfo.LAYOUT, "vfio_region_info", 32, 8),
                Arguments.of(VfioIrqInfo.LAYOUT, "vfio_irq_info", 16, 4),
                Arguments.of(VfioIrqSet.LAYOUT, "vfio_irq_set", 20, 4),
                Arguments.of(VfioDeviceBindIommufd.LAYOUT, "vfio_device_bind_iommufd", 24, 8),
                Arguments.of(VfioDeviceAttachIommufdPt.LAYOUT, "vfio_device_attach_iommufd_pt", 16, 4),
                Arguments.of(VfioDeviceDetachIommufdPt.LAYOUT, "vfio_device_detach_iommufd_pt", 12, 4),
                Arguments.of(IommuDestroy.LAYOUT, "iommu_destroy", 8, 4),
                Arguments.of(IommuIoasAlloc.LAYOUT, "iommu_ioas_alloc", 12, 4),
                Arguments.of(IommuIoasMap.LAYOUT, "iommu_ioas_map", 40, 8),
                Arguments.of(IommuIoasUnmap.LAYOUT, "iommu_ioas_unmap", 24, 8),
                Arguments.of(IommuFaultAlloc.LAYOUT, "iommu_fault_alloc", 16, 4),
                Arguments.of(IommuHwInfo.LAYOUT, "iommu_hw_info", 40, 8),
                Arguments.of(IommuHwptAlloc.LAYOUT, "iommu_hwpt_alloc", 48, 8));
    }

    @ParameterizedTest(name = "{1}: {2} bytes, aligned {3}")
    @MethodSource("structs")
    void sizeAndAlignment(StructLayout layout, String name, long size, long alignment) {
        assertThat(layout.name()).contains(name);
        assertThat(layout.byteSize()).isEqualTo(size);
        assertThat(layout.byteAlignment()).isEqualTo(alignment);
    }

    static Stream<Arguments> fields() {
        return Stream.of(
                Arguments.of(VfioGroupStatus.LAYOUT, "argsz", 0, 4),
                Arguments.of(VfioGroupStatus.LAYOUT, "flags", 4, 4),
                Arguments.of(VfioDeviceInfo.LAYOUT, "argsz", 0, 4),
                Arguments.of(VfioDeviceInfo.LAYOUT, "flags", 4, 4),
                Arguments.of(VfioDeviceInfo.LAYOUT, "num_regions", 8, 4),
                Arguments.of(VfioDeviceInfo.LAYOUT, "num_irqs", 12, 4),
                Arguments.of(VfioDeviceInfo.LAYOUT, "cap_offset", 16, 4),
                Arguments.of(VfioDeviceInfo.LAYOUT, "pad", 20, 4),
                Arguments.of(VfioRegionInfo.LAYOUT, "argsz", 0, 4),
                Arguments.of(VfioRegionInfo.LAYOUT, "flags", 4, 4),
                Arguments.of(VfioRegionInfo.LAYOUT, "index", 8, 4),
                Arguments.of(VfioRegionInfo.LAYOUT, "cap_offset", 12, 4),
                Arguments.of(VfioRegionInfo.LAYOUT, "size", 16, 8),
                Arguments.of(VfioRegionInfo.LAYOUT, "offset", 24, 8),
                Arguments.of(VfioIrqInfo.LAYOUT, "argsz", 0, 4),
                Arguments.of(VfioIrqInfo.LAYOUT, "flags", 4, 4),
                Arguments.of(VfioIrqInfo.LAYOUT, "index", 8, 4),
                Arguments.of(VfioIrqInfo.LAYOUT, "count", 12, 4),
                Arguments.of(VfioIrqSet.LAYOUT, "argsz", 0, 4),
                Arguments.of(VfioIrqSet.LAYOUT, "flags", 4, 4),
                Arguments.of(VfioIrqSet.LAYOUT, "index", 8, 4),
                Arguments.of(VfioIrqSet.LAYOUT, "start", 12, 4),
                Arguments.of(VfioIrqSet.LAYOUT, "count", 16, 4),
                Arguments.of(VfioDeviceBindIommufd.LAYOUT, "argsz", 0, 4),
                Arguments.of(VfioDeviceBindIommufd.LAYOUT, "flags", 4, 4),
                Arguments.of(VfioDeviceBindIommufd.LAYOUT, "iommufd", 8, 4),
                Arguments.of(VfioDeviceBindIommufd.LAYOUT, "out_devid", 12, 4),
                Arguments.of(VfioDeviceBindIommufd.LAYOUT, "token_uuid_ptr", 16, 8),
                Arguments.of(IommuDestroy.LAYOUT, "size", 0, 4),
                Arguments.of(IommuDestroy.LAYOUT, "id", 4, 4),
                Arguments.of(IommuIoasAlloc.LAYOUT, "size", 0, 4),
                Arguments.of(IommuIoasAlloc.LAYOUT, "flags", 4, 4),
                Arguments.of(IommuIoasAlloc.LAYOUT, "out_ioas_id", 8, 4),
                Arguments.of(IommuIoasMap.LAYOUT, "size", 0, 4),
                Arguments.of(IommuIoasMap.LAYOUT, "flags", 4, 4),
                Arguments.of(IommuIoasMap.LAYOUT, "ioas_id", 8, 4),
                Arguments.of(IommuIoasMap.LAYOUT, "__reserved", 12, 4),
                Arguments.of(IommuIoasMap.LAYOUT, "user_va", 16, 8),
                Arguments.of(IommuIoasMap.LAYOUT, "length", 24, 8),
                Arguments.of(IommuIoasMap.LAYOUT, "iova", 32, 8),
                Arguments.of(IommuIoasUnmap.LAYOUT, "size", 0, 4),
                Arguments.of(IommuIoasUnmap.LAYOUT, "ioas_id", 4, 4),
                Arguments.of(IommuIoasUnmap.LAYOUT, "iova", 8, 8),
                Arguments.of(IommuIoasUnmap.LAYOUT, "length", 16, 8),
                Arguments.of(IommuFaultAlloc.LAYOUT, "size", 0, 4),
                Arguments.of(IommuFaultAlloc.LAYOUT, "flags", 4, 4),
                Arguments.of(IommuFaultAlloc.LAYOUT, "out_fault_id", 8, 4),
                Arguments.of(IommuFaultAlloc.LAYOUT, "out_fault_fd", 12, 4));
    }

    @ParameterizedTest(name = "{0}.{1} at {2}, {3} bytes")
    @MethodSource("fields")
    void fieldOffsetAndSize(StructLayout layout, String field, long offset, long size) {
        assertThat(layout.byteOffset(groupElement(field))).isEqualTo(offset);
        assertThat(layout.select(groupElement(field)).byteSize()).isEqualTo(size);
    }

    @Test
    void bindWithoutATokenPassesTheSizeBothKernelsTake() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = VfioDeviceBindIommufd.request(arena, 5, null);
            assertThat(s.get(ValueLayout.JAVA_INT, 0)).isEqualTo(16);
            assertThat(s.get(ValueLayout.JAVA_INT, 4)).isZero();
            assertThat(s.get(ValueLayout.JAVA_INT, 8)).isEqualTo(5);
            MemorySegment token = arena.allocate(16);
            MemorySegment t = VfioDeviceBindIommufd.request(arena, 5, token);
            assertThat(t.get(ValueLayout.JAVA_INT, 0)).isEqualTo(24);
            assertThat(t.get(ValueLayout.JAVA_INT, 4)).isEqualTo(VfioIoctls.BIND_FLAG_TOKEN);
            assertThat(t.get(ValueLayout.JAVA_LONG, 16)).isEqualTo(token.address());
        }
    }

    @Test
    void irqSetCarriesOneEventfdPerVectorAfterTheHeader() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = VfioIrqSet.trigger(arena, VfioIoctls.PCI_MSIX_IRQ_INDEX, 0, new int[] {7, -1, 9});
            assertThat(s.byteSize()).isEqualTo(32);
            assertThat(s.toArray(ValueLayout.JAVA_INT)).containsExactly(32, 0x24, 2, 0, 3, 7, -1, 9);
            MemorySegment off = VfioIrqSet.disable(arena, VfioIoctls.PCI_MSI_IRQ_INDEX);
            assertThat(off.toArray(ValueLayout.JAVA_INT)).containsExactly(20, 0x21, 1, 0, 0);
        }
    }

    @Test
    void mapRequestNamesTheMemoryAndTheIova() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(4096, 4096);
            MemorySegment s = IommuIoasMap.request(arena, 3, IommufdIoctls.IOAS_MAP_FIXED_IOVA
                    | IommufdIoctls.IOAS_MAP_READABLE, page, 0x10_0000L);
            assertThat(s.get(ValueLayout.JAVA_INT, 0)).isEqualTo(40);
            assertThat(s.get(ValueLayout.JAVA_INT, 4)).isEqualTo(5);
            assertThat(s.get(ValueLayout.JAVA_INT, 8)).isEqualTo(3);
            assertThat(s.get(ValueLayout.JAVA_LONG, 16)).isEqualTo(page.address());
            assertThat(s.get(ValueLayout.JAVA_LONG, 24)).isEqualTo(4096);
            assertThat(IommuIoasMap.iova(s)).isEqualTo(0x10_0000L);
        }
    }
}
