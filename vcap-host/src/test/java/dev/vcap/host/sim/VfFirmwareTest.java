package dev.vcap.host.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.testing.Devices;
import dev.vcap.pci.config.PciAddress;
import org.junit.jupiter.api.Test;

/** Firmware that builds VF config spaces beyond the derivation: what another firmware version looks like. */
class VfFirmwareTest {

    @Test
    void firmwareShapesEveryVfOfItsPf() {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf())
                .vfFirmware(Devices.PF, cs -> {
                    cs.setU32(0xFF8, 0x0000_1234); // a vendor register in the tail gap
                    return cs;
                }).build();
        for (PciAddress vf : host.enableVfs(Devices.PF, 2)) {
            assertThat(host.function(vf).read(0xFF8, 4)).isEqualTo(0x1234);
        }
        SimHost plain = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        assertThat(plain.function(plain.enableVfs(Devices.PF, 1).getFirst()).read(0xFF8, 4)).isZero();
    }
}
