package dev.vcap.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vcap.host.Errno;
import dev.vcap.host.HostException;
import dev.vcap.host.Rule;
import dev.vcap.linux.testing.FakeSysfs;
import dev.vcap.linux.testing.OpenFds;
import dev.vcap.pci.config.PciAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux host over a fake sysfs and /dev: which functions it offers, what it refuses before
 * touching a file, and that every failing path leaves no descriptor open (device files here are plain
 * files, so every ioctl is the kernel's real ENOTTY).
 */
class LinuxHostTest {

    @TempDir
    Path tmp;

    private LinuxHost host(FakeSysfs fs) {
        return new LinuxHost(fs.sys(), fs.dev());
    }

    @Test
    void devicesAreTheFunctionsVfioPciOwns() {
        FakeSysfs fs = new FakeSysfs(tmp);
        fs.function("0000:02:00.0").driver("vfio-pci").group(8).vfio("vfio1");
        fs.function("0000:01:00.0").driver("vfio-pci").group(7).vfio("vfio0");
        fs.function("0000:00:1f.2").driver("ahci").group(3);
        assertThat(host(fs).devices()).extracting(PciAddress::toString).containsExactly("0000:01:00.0", "0000:02:00.0");
        assertThat(host(fs).functions()).hasSize(3);
    }

    @Test
    void aFunctionVfioPciDoesNotOwnIsRefusedBeforeAnyFileIsOpened() {
        FakeSysfs fs = new FakeSysfs(tmp);
        fs.function("0000:00:1f.2").driver("ahci").group(3);
        long before = OpenFds.count();
        HostException e = catchThrowableOfType(HostException.class, () -> host(fs).openDevice(PciAddress.parse("00:1f.2")));
        assertThat(e.rule()).isEqualTo(Rule.NO_SUCH_DEVICE);
        assertThat(e).hasMessageContaining("vfio-pci does not own it (driver: ahci)");
        HostException legacy = catchThrowableOfType(HostException.class,
                () -> host(fs).openLegacy(PciAddress.parse("00:1f.2")));
        assertThat(legacy.rule()).isEqualTo(Rule.NO_SUCH_DEVICE);
        assertThat(OpenFds.count()).isEqualTo(before);
    }

    @Test
    void aMissingFunctionIsEnodev() {
        FakeSysfs fs = new FakeSysfs(tmp);
        HostException e = catchThrowableOfType(HostException.class, () -> host(fs).openDevice(PciAddress.parse("05:00.0")));
        assertThat(e.errno()).isEqualTo(Errno.ENODEV);
        assertThat(e).hasMessageContaining("0000:05:00.0: no such PCI function");
    }

    @Test
    void withoutAVfioCdevTheMessageNamesTheLegacyPath() {
        FakeSysfs fs = new FakeSysfs(tmp);
        fs.function("0000:01:00.0").driver("vfio-pci").group(7);
        HostException e = catchThrowableOfType(HostException.class, () -> host(fs).openDevice(PciAddress.parse("01:00.0")));
        assertThat(e.rule()).isEqualTo(Rule.NO_SUCH_DEVICE);
        assertThat(e).hasMessageContaining("no vfio device cdev (CONFIG_VFIO_DEVICE_CDEV)");
        assertThat(host(fs).hasVfioCdev()).isFalse();
    }

    @Test
    void withoutIommufdOpeningItIsTheKernelsEnoent() {
        FakeSysfs fs = new FakeSysfs(tmp);
        HostException e = catchThrowableOfType(HostException.class, () -> host(fs).openIommufd());
        assertThat(e.errno()).isEqualTo(Errno.ENOENT);
        assertThat(e.kernelCall().orElseThrow()).startsWith("open ").endsWith("/dev/iommu");
    }

    @Test
    void everyCallOnANonVfioFileIsEnottyAndNothingLeaks() {
        FakeSysfs fs = new FakeSysfs(tmp).iommufd();
        fs.function("0000:01:00.0").driver("vfio-pci").group(7).vfio("vfio0");
        LinuxHost host = host(fs);
        long before = OpenFds.count();
        for (int i = 0; i < 20; i++) {
            try (LinuxIommufd iommufd = host.openIommufd();
                    LinuxVfioDevice dev = host.openDevice(PciAddress.parse("01:00.0"))) {
                HostException bind = catchThrowableOfType(HostException.class, () -> dev.bind(iommufd));
                assertThat(bind.errno()).isEqualTo(Errno.ENOTTY);
                assertThat(bind.kernelCall()).contains("VFIO_DEVICE_BIND_IOMMUFD");
                assertThat(dev.devId()).isEqualTo(-1);
                assertThat(dev.pasidOpsSupported()).isFalse();
                assertThat(catchThrowableOfType(HostException.class, iommufd::allocIoas).kernelCall())
                        .contains("IOMMU_IOAS_ALLOC");
                assertThat(catchThrowableOfType(HostException.class, iommufd::allocFaultQueue).errno())
                        .isEqualTo(Errno.ENOTTY);
                assertThat(catchThrowableOfType(HostException.class, dev::config).kernelCall())
                        .contains("VFIO_DEVICE_GET_REGION_INFO");
                assertThat(catchThrowableOfType(HostException.class,
                        () -> dev.enableIrqs(2, 4)).kernelCall()).as("the eventfds are closed again")
                        .contains("VFIO_DEVICE_SET_IRQS");
                assertThat(catchThrowableOfType(HostException.class, dev::reset).errno()).isEqualTo(Errno.ENOTTY);
            }
        }
        assertThat(OpenFds.count()).isEqualTo(before);
    }

    @Test
    void aClosedDeviceIsEbadfNotAnotherFile() {
        FakeSysfs fs = new FakeSysfs(tmp);
        fs.function("0000:01:00.0").driver("vfio-pci").group(7).vfio("vfio0");
        LinuxVfioDevice dev = host(fs).openDevice(PciAddress.parse("01:00.0"));
        dev.close();
        dev.close();
        HostException e = catchThrowableOfType(HostException.class, dev::info);
        assertThat(e.errno()).isEqualTo(Errno.EBADF);
    }

    @Test
    void theLegacyPathClosesWhatItOpenedWhenTheGroupRefuses() {
        FakeSysfs fs = new FakeSysfs(tmp).vfioContainer();
        fs.function("0000:01:00.0").driver("vfio-pci").group(7).groupFile(7);
        fs.function("0000:02:00.0").driver("vfio-pci").group(8);
        long before = OpenFds.count();
        HostException e = catchThrowableOfType(HostException.class, () -> host(fs).openLegacy(PciAddress.parse("01:00.0")));
        assertThat(e.kernelCall()).as("SET_CONTAINER fails, then GET_STATUS explains").contains("VFIO_GROUP_GET_STATUS");
        assertThat(e.errno()).isEqualTo(Errno.ENOTTY);
        HostException noGroup = catchThrowableOfType(HostException.class,
                () -> host(fs).openLegacy(PciAddress.parse("02:00.0")));
        assertThat(noGroup.errno()).isEqualTo(Errno.ENOENT);
        assertThat(noGroup).hasMessageContaining("IOMMU group 8 of 0000:02:00.0");
        assertThat(OpenFds.count()).isEqualTo(before);
    }
}
