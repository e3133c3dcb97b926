package dev.vcap.linux.sysfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.linux.testing.FakeSysfs;
import dev.vcap.pci.config.PciAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery over a sysfs tree laid out as Linux lays it out (links, hex files, vfio-dev). */
class PciSysfsTest {

    @TempDir
    Path tmp;

    @Test
    void readsIdsDriverGroupAndTheVfioDeviceFile() {
        FakeSysfs fs = new FakeSysfs(tmp);
        fs.function("0000:01:00.0").ids(0x8086, 0x10d3).subsystem(0x8086, 0xa01f).classCode(0x020000)
                .driver("vfio-pci").driverOverride("vfio-pci").group(7).vfio("vfio0");
        PciFunction f = new PciSysfs(fs.sys()).function(PciAddress.parse("01:00.0")).orElseThrow();
        assertThat(f.vendor()).isEqualTo(0x8086);
        assertThat(f.device()).isEqualTo(0x10d3);
        assertThat(f.subsystemDevice()).isEqualTo(0xa01f);
        assertThat(f.classCode()).isEqualTo(0x020000);
        assertThat(f.driver()).isEqualTo("vfio-pci");
        assertThat(f.driverOverride()).isEqualTo("vfio-pci");
        assertThat(f.iommuGroup()).isEqualTo(7);
        assertThat(f.vfioDevice()).isEqualTo("vfio0");
        assertThat(f.vfioDevicePath("/dev")).contains("/dev/vfio/devices/vfio0");
        assertThat(f.vfioOwned()).isTrue();
        assertThat(f.role()).isEqualTo("function");
        assertThat(f.ids()).isEqualTo("8086:10d3");
    }

    @Test
    void aFunctionWithoutDriverGroupOrVfioSaysSo() {
        FakeSysfs fs = new FakeSysfs(tmp);
        fs.function("0000:00:1f.0");
        PciFunction f = new PciSysfs(fs.sys()).functions().get(0);
        assertThat(f.driver()).isNull();
        assertThat(f.driverOverride()).as("(null) is unset").isNull();
        assertThat(f.iommuGroup()).isEqualTo(-1);
        assertThat(f.vfioDevice()).isNull();
        assertThat(f.vfioOwned()).isFalse();
    }

    @Test
    void pfAndVfsAreLinkedBothWays() {
        FakeSysfs fs = new FakeSysfs(tmp);
        fs.function("0000:03:00.0").sriov(7, 2).driver("igb").virtfn(0, "0000:03:10.0").virtfn(1, "0000:03:10.2");
        fs.function("0000:03:10.0").physfn("0000:03:00.0").driver("vfio-pci").group(20).vfio("vfio3");
        fs.function("0000:03:10.2").physfn("0000:03:00.0").driver("igbvf");
        List<PciFunction> all = new PciSysfs(fs.sys()).functions();
        assertThat(all).extracting(PciFunction::address).extracting(PciAddress::toString)
                .containsExactly("0000:03:00.0", "0000:03:10.0", "0000:03:10.2");
        PciFunction pf = all.get(0);
        assertThat(pf.role()).isEqualTo("PF");
        assertThat(pf.totalVfs()).isEqualTo(7);
        assertThat(pf.numVfs()).isEqualTo(2);
        assertThat(pf.virtfns()).extracting(PciAddress::toString).containsExactly("0000:03:10.0", "0000:03:10.2");
        assertThat(all.get(1).role()).isEqualTo("VF");
        assertThat(all.get(1).physfn()).isEqualTo(PciAddress.parse("0000:03:00.0"));
        assertThat(all.get(2).vfioOwned()).isFalse();
    }

    @Test
    void vfioPciVariantDriversCountAsVfioPci() {
        FakeSysfs fs = new FakeSysfs(tmp);
        fs.function("0000:81:00.1").driver("mlx5_vfio_pci");
        fs.function("0000:81:00.2").driver("vfio-platform-not-pci");
        List<PciFunction> all = new PciSysfs(fs.sys()).functions();
        assertThat(all.get(0).vfioOwned()).isTrue();
        assertThat(all.get(1).vfioOwned()).isFalse();
    }

    @Test
    void noPciBusIsAnEmptyList() throws Exception {
        Files.createDirectories(tmp.resolve("sys"));
        assertThat(new PciSysfs(tmp.resolve("sys")).functions()).isEmpty();
        assertThat(new PciSysfs(tmp.resolve("sys")).function(PciAddress.parse("00:00.0"))).isEmpty();
    }

    @Test
    void namesThatAreNotAddressesAreIgnored() throws Exception {
        FakeSysfs fs = new FakeSysfs(tmp);
        fs.function("0000:01:00.0");
        Files.createDirectories(fs.sys().resolve("bus/pci/devices/not-an-address"));
        assertThat(new PciSysfs(fs.sys()).functions()).hasSize(1);
    }
}
