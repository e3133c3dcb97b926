package dev.vcap.linux.uapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.linux.sys.Ioctl;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every ioctl number and constant pinned to the value gcc printed from include/uapi/linux/vfio.h and
 * iommufd.h of Debian's linux-source-7.3 (7.3.4-1~bpo13+1) on x86-64.
 */
class UapiNumbersTest {

    static Stream<Arguments> ioctls() {
        return Stream.of(
                Arguments.of(VfioIoctls.GET_API_VERSION, "VFIO_GET_API_VERSION", 0x3b64L),
                Arguments.of(VfioIoctls.CHECK_EXTENSION, "VFIO_CHECK_EXTENSION", 0x3b65L),
                Arguments.of(VfioIoctls.SET_IOMMU, "VFIO_SET_IOMMU", 0x3b66L),
                Arguments.of(VfioIoctls.GROUP_GET_STATUS, "VFIO_GROUP_GET_STATUS", 0x3b67L),
                Arguments.of(VfioIoctls.GROUP_SET_CONTAINER, "VFIO_GROUP_SET_CONTAINER", 0x3b68L),
                Arguments.of(VfioIoctls.GROUP_UNSET_CONTAINER, "VFIO_GROUP_UNSET_CONTAINER", 0x3b69L),
                Arguments.of(VfioIoctls.GROUP_GET_DEVICE_FD, "VFIO_GROUP_GET_DEVICE_FD", 0x3b6aL),
                Arguments.of(VfioIoctls.DEVICE_GET_INFO, "VFIO_DEVICE_GET_INFO", 0x3b6bL),
                Arguments.of(VfioIoctls.DEVICE_GET_REGION_INFO, "VFIO_DEVICE_GET_REGION_INFO", 0x3b6cL),
                Arguments.of(VfioIoctls.DEVICE_GET_IRQ_INFO, "VFIO_DEVICE_GET_IRQ_INFO", 0x3b6dL),
                Arguments.of(VfioIoctls.DEVICE_SET_IRQS, "VFIO_DEVICE_SET_IRQS", 0x3b6eL),
                Arguments.of(VfioIoctls.DEVICE_RESET, "VFIO_DEVICE_RESET", 0x3b6fL),
                Arguments.of(VfioIoctls.DEVICE_FEATURE, "VFIO_DEVICE_FEATURE", 0x3b75L),
                Arguments.of(VfioIoctls.DEVICE_BIND_IOMMUFD, "VFIO_DEVICE_BIND_IOMMUFD", 0x3b76L),
                Arguments.of(VfioIoctls.DEVICE_ATTACH_IOMMUFD_PT, "VFIO_DEVICE_ATTACH_IOMMUFD_PT", 0x3b77L),
                Arguments.of(VfioIoctls.DEVICE_DETACH_IOMMUFD_PT, "VFIO_DEVICE_DETACH_IOMMUFD_PT", 0x3b78L),
                Arguments.of(IommufdIoctls.DESTROY, "IOMMU_DESTROY", 0x3b80L),
                Arguments.of(IommufdIoctls.IOAS_ALLOC, "IOMMU_IOAS_ALLOC", 0x3b81L),
                Arguments.of(IommufdIoctls.IOAS_MAP, "IOMMU_IOAS_MAP", 0x3b85L),
                Arguments.of(IommufdIoctls.IOAS_UNMAP, "IOMMU_IOAS_UNMAP", 0x3b86L),
                Arguments.of(IommufdIoctls.HWPT_ALLOC, "IOMMU_HWPT_ALLOC", 0x3b89L),
                Arguments.of(IommufdIoctls.GET_HW_INFO, "IOMMU_GET_HW_INFO", 0x3b8aL),
                Arguments.of(IommufdIoctls.FAULT_QUEUE_ALLOC, "IOMMU_FAULT_QUEUE_ALLOC", 0x3b8eL));
    }

    @ParameterizedTest(name = "{1} = {2}")
    @MethodSource("ioctls")
    void numberIsTheHeaders(Ioctl ioctl, String name, long number) {
        assertThat(ioctl.name()).isEqualTo(name);
        assertThat(ioctl.number()).isEqualTo(number);
        assertThat(ioctl.dir()).as("_IO: no direction").isZero();
        assertThat(ioctl.size()).as("_IO: no size").isZero();
    }

    static Stream<Arguments> constants() {
        return Stream.of(
                Arguments.of("VFIO_API_VERSION", VfioIoctls.API_VERSION, 0),
                Arguments.of("VFIO_TYPE1v2_IOMMU", VfioIoctls.TYPE1V2_IOMMU, 3),
                Arguments.of("VFIO_PCI_CONFIG_REGION_INDEX", VfioIoctls.PCI_CONFIG_REGION_INDEX, 7),
                Arguments.of("VFIO_PCI_MSI_IRQ_INDEX", VfioIoctls.PCI_MSI_IRQ_INDEX, 1),
                Arguments.of("VFIO_PCI_MSIX_IRQ_INDEX", VfioIoctls.PCI_MSIX_IRQ_INDEX, 2),
                Arguments.of("VFIO_IRQ_SET_DATA_NONE", VfioIoctls.IRQ_SET_DATA_NONE, 0x1),
                Arguments.of("VFIO_IRQ_SET_DATA_EVENTFD", VfioIoctls.IRQ_SET_DATA_EVENTFD, 0x4),
                Arguments.of("VFIO_IRQ_SET_ACTION_TRIGGER", VfioIoctls.IRQ_SET_ACTION_TRIGGER, 0x20),
                Arguments.of("VFIO_DEVICE_FLAGS_RESET", VfioIoctls.DEVICE_FLAGS_RESET, 0x1),
                Arguments.of("VFIO_DEVICE_FLAGS_PCI", VfioIoctls.DEVICE_FLAGS_PCI, 0x2),
                Arguments.of("IOMMU_IOAS_MAP_FIXED_IOVA", IommufdIoctls.IOAS_MAP_FIXED_IOVA, 0x1),
                Arguments.of("IOMMU_IOAS_MAP_WRITEABLE", IommufdIoctls.IOAS_MAP_WRITEABLE, 0x2),
                Arguments.of("IOMMU_IOAS_MAP_READABLE", IommufdIoctls.IOAS_MAP_READABLE, 0x4),
                Arguments.of("IOMMU_HWPT_ALLOC_PASID", dev.vcap.host.HwptAlloc.PASID, 0x8));
    }

    @ParameterizedTest(name = "{0} = {2}")
    @MethodSource("constants")
    void constantIsTheHeaders(String name, int value, int expected) {
        assertThat(value).as(name).isEqualTo(expected);
    }
}
