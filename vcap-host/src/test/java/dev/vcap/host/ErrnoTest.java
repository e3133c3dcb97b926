package dev.vcap.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Values pinned to include/uapi/asm-generic/errno-base.h and errno.h of Linux 7.3. */
class ErrnoTest {

    @Test
    void theValuesARealKernelReturnsHereAreTheHeaders() {
        assertThat(Errno.EINTR.value()).isEqualTo(4);
        assertThat(Errno.EIO.value()).isEqualTo(5);
        assertThat(Errno.ENXIO.value()).isEqualTo(6);
        assertThat(Errno.EAGAIN.value()).isEqualTo(11);
        assertThat(Errno.EACCES.value()).isEqualTo(13);
        assertThat(Errno.ENOTTY.value()).isEqualTo(25);
        assertThat(Errno.ENOSYS.value()).isEqualTo(38);
        assertThat(Errno.EOPNOTSUPP.value()).isEqualTo(95);
        assertThat(Errno.EFTYPE.value()).isEqualTo(134);
        assertThat(Errno.ENOTSUPP.value()).isEqualTo(524);
    }

    @Test
    void everyValueFindsItsErrno() {
        for (Errno e : Errno.values()) {
            assertThat(Errno.of(e.value())).isSameAs(e);
        }
        assertThat(Arrays.stream(Errno.values()).mapToInt(Errno::value).distinct().count())
                .isEqualTo(Errno.values().length);
    }

    @Test
    void valuesLinuxDoesNotDefineAreRefused() {
        assertThat(Errno.find(0)).isEmpty();
        assertThat(Errno.find(41)).as("41 is unused (EWOULDBLOCK's old slot)").isEmpty();
        assertThat(Errno.find(135)).isEmpty();
        assertThat(Errno.find(-22)).isEmpty();
        assertThatThrownBy(() -> Errno.of(600)).hasMessage("no errno 600 in Linux");
    }

    @Test
    void aKernelReportedFailureCarriesTheCallAndNoRule() {
        HostException e = HostException.fromKernel("VFIO_DEVICE_BIND_IOMMUFD", Errno.EACCES, "0000:03:00.2 without a VF token");
        assertThat(e.errno()).isEqualTo(Errno.EACCES);
        assertThat(e.rule()).isNull();
        assertThat(e.kernelCall()).contains("VFIO_DEVICE_BIND_IOMMUFD");
        assertThat(e).hasMessage("EACCES from VFIO_DEVICE_BIND_IOMMUFD: 0000:03:00.2 without a VF token");
        assertThat(HostException.fromKernel("IOMMU_DESTROY", Errno.EBUSY, "")).hasMessage("EBUSY from IOMMU_DESTROY");
    }

    @Test
    void aModelFailureCarriesItsRuleAndNoCall() {
        HostException e = Rule.OBJECT_BUSY.fail("HWPT 3 is attached");
        assertThat(e.rule()).isEqualTo(Rule.OBJECT_BUSY);
        assertThat(e.errno()).isEqualTo(Errno.EBUSY);
        assertThat(e.kernelCall()).isEmpty();
        assertThat(e).hasMessage("EBUSY (OBJECT_BUSY): HWPT 3 is attached");
    }
}
