package dev.vcap.host.sim;

import static dev.vcap.host.PciRegs.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.testing.Devices;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.config.PciAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Register behaviour of PASID, PRI and ATS, FLR, and the derivation of VFs. */
class SimFunctionTest {

    private static final int PASID = 0x100;
    private static final int ATS = 0x200;
    private static final int PRI = 0x300;

    private static SimFunction pf(boolean exec, boolean priv) {
        return new SimFunction(Devices.PF, Devices.sriovPf(20, exec, priv, true), null);
    }

    static Stream<Arguments> registerWrites() {
        // supports Exec only; name, offset, width, written, read back
        return Stream.of(
                Arguments.of("PASID Capability is read-only", PASID + PASID_CAP, 2, 0xFFFF, 0x1402),
                Arguments.of("PASID Control: Enable and supported Exec only", PASID + PASID_CTRL, 2, 0xFFFF, 0x0003),
                Arguments.of("PRI Control: Reset reads 0", PRI + PRI_CTRL, 2, PRI_CTRL_RESET, 0),
                Arguments.of("PRI Control: Enable", PRI + PRI_CTRL, 2, 0xFFFF, PRI_CTRL_ENABLE),
                Arguments.of("PRI Status: Stopped and PASID Required are read-only", PRI + PRI_STATUS, 2, 0,
                        PRI_STATUS_STOPPED | PRI_STATUS_PASID),
                Arguments.of("PRI Capacity is read-only", PRI + PRI_MAX_REQ, 4, 0, 0x200),
                Arguments.of("PRI Allocation is read-write", PRI + PRI_ALLOC_REQ, 4, 0x40, 0x40),
                Arguments.of("ATS Capability is read-only", ATS + ATS_CAP, 2, 0, 0x20),
                Arguments.of("ATS Control: Enable and STU", ATS + ATS_CTRL, 2, 0xFFFF, 0x801F),
                Arguments.of("extended header is read-only", ATS, 4, 0, ExtendedCapability.header(0x0F, 1, PRI)),
                Arguments.of("Vendor ID is read-only", Header.VENDOR_ID, 2, 0, 0x8086),
                Arguments.of("a gap stores what is written", 0x800, 4, 0x5A5A_A5A5, 0x5A5A_A5A5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void registerWrites(String name, int offset, int width, int value, int readBack) {
        SimFunction f = pf(true, false);
        f.write(offset, width, value);
        assertThat(f.read(offset, width)).isEqualTo(readBack);
    }

    @Test
    void priStoppedIsSetExactlyWhenDisabledAndDrained() {
        SimFunction f = pf(false, false);
        int status = PRI + PRI_STATUS;
        f.write(PRI + PRI_CTRL, 2, PRI_CTRL_ENABLE);
        assertThat(f.read(status, 2) & PRI_STATUS_STOPPED).isZero();
        f.setPageRequestsOutstanding(true);
        f.write(PRI + PRI_CTRL, 2, 0);
        assertThat(f.read(status, 2) & PRI_STATUS_STOPPED).as("requests still in flight").isZero();
        f.setPageRequestsOutstanding(false);
        assertThat(f.read(status, 2) & PRI_STATUS_STOPPED).isNotZero();
    }

    @Test
    void priStatusErrorBitsAreWriteOneToClear() {
        SimFunction f = pf(false, false);
        ConfigSpace cs = Devices.sriovPf(20, false, false, true);
        cs.setU16(PRI + PRI_STATUS, PRI_STATUS_STOPPED | PRI_STATUS_RF | PRI_STATUS_UPRGI);
        f = new SimFunction(Devices.PF, cs, null);
        f.write(PRI + PRI_STATUS, 2, PRI_STATUS_RF);
        assertThat(f.read(PRI + PRI_STATUS, 2)).isEqualTo(PRI_STATUS_STOPPED | PRI_STATUS_UPRGI);
    }

    @Test
    void flrResetsPasidPriAtsAndCommand() {
        SimFunction f = pf(true, true);
        f.write(Header.COMMAND, 2, COMMAND_MEMORY | COMMAND_MASTER);
        f.write(PASID + PASID_CTRL, 2, 0x7);
        f.write(PRI + PRI_ALLOC_REQ, 4, 0x20);
        f.write(PRI + PRI_CTRL, 2, PRI_CTRL_ENABLE);
        f.write(ATS + ATS_CTRL, 2, 0x8003);
        f.setPageRequestsOutstanding(true);
        f.write(0x40 + EXP_DEVCTL, 2, EXP_DEVCTL_BCR_FLR); // Initiate FLR
        assertThat(f.resets()).isEqualTo(1);
        assertThat(f.read(0x40 + EXP_DEVCTL, 2) & EXP_DEVCTL_BCR_FLR).isZero();
        assertThat(f.read(Header.COMMAND, 2)).isZero();
        assertThat(f.read(PASID + PASID_CTRL, 2)).isZero();
        assertThat(f.read(PRI + PRI_CTRL, 2)).isZero();
        assertThat(f.read(PRI + PRI_STATUS, 2)).isEqualTo(PRI_STATUS_STOPPED | PRI_STATUS_PASID);
        assertThat(f.read(PRI + PRI_ALLOC_REQ, 4)).isZero();
        assertThat(f.read(ATS + ATS_CTRL, 2)).isZero();
    }

    @Test
    void theCoresResetRestoresWhatItEnabled() {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        SimPciDev pf = host.pciDev(Devices.PF);
        pf.enablePri(0x40);
        pf.resetFunction();
        SimFunction f = pf.function();
        assertThat(f.resets()).isEqualTo(1);
        assertThat(f.read(PASID + PASID_CTRL, 2)).isEqualTo(PASID_CTRL_ENABLE | PASID_CTRL_EXEC | PASID_CTRL_PRIV);
        assertThat(f.read(PRI + PRI_CTRL, 2)).isEqualTo(PRI_CTRL_ENABLE);
        assertThat(f.read(PRI + PRI_ALLOC_REQ, 4)).isEqualTo(0x40);
        assertThat(f.read(ATS + ATS_CTRL, 2)).isEqualTo(ATS_CTRL_ENABLE);
    }

    @Test
    void vfioDeviceResetIsTheCoresReset() {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        try (var fd = host.openIommufd(); var dev = host.openDevice(Devices.PF)) {
            dev.bind(fd);
            dev.reset();
            assertThat(dev.pciDev().function().resets()).isEqualTo(1);
            assertThat(dev.pciDev().function().read(ATS + ATS_CTRL, 2)).isEqualTo(ATS_CTRL_ENABLE);
        }
    }

    // ------------------------------------------------------------------ VF derivation

    @Test
    void vfConfigIsDerivedFromThePf() {
        ConfigSpace pf = Devices.sriovPf();
        ConfigSpace vf = VfDerivation.config(pf);
        assertThat(vf.u32(Header.VENDOR_ID)).isEqualTo(0xFFFF_FFFF);
        assertThat(vf.u8(Header.BASE_CLASS)).isEqualTo(pf.u8(Header.BASE_CLASS));
        assertThat(vf.u8(Header.REVISION_ID)).isEqualTo(3);
        assertThat(vf.u32(Header.SUBSYSTEM_VENDOR_ID)).isEqualTo(pf.u32(Header.SUBSYSTEM_VENDOR_ID));
        assertThat(vf.u32(Header.BAR0)).isZero();
        assertThat(vf.u8(Header.INTERRUPT_PIN)).isZero();
        CapabilityChain chain = CapabilityChain.walk(vf);
        assertThat(chain.standard()).extracting(Capability::offset).containsExactly(0x40, 0x80, 0x90);
        assertThat(chain.extended()).extracting(Capability::id, Capability::offset)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 0x100), org.assertj.core.groups.Tuple.tuple(0x0F, 0x200));
        assertThat(vf.u32(0x40 + EXP_DEVCAP) & EXP_DEVCAP_FLR).isNotZero();
        assertThat(vf.u16(0x200 + ATS_CAP)).isEqualTo(0x20);
        assertThat(vf.u16(0x200 + ATS_CTRL)).isZero();
        assertThat(chain.has(ExtendedCapability.PASID)).isFalse();
        assertThat(chain.has(ExtendedCapability.PRI)).isFalse();
        assertThat(chain.has(ExtendedCapability.SRIOV)).isFalse();
    }

    @Test
    void aPfWithoutAtsGivesVfsWithoutAts() {
        ConfigSpace pf = Devices.sriovPf();
        pf.setU32(0x100, ExtendedCapability.header(ExtendedCapability.PASID.id(), 1, 0x300)); // unlink ATS
        assertThat(CapabilityChain.walk(VfDerivation.config(pf)).extended()).isEmpty();
    }

    @Test
    void vfsGetAddressesAndIdsFromTheSriovCapability() {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        List<PciAddress> vfs = host.enableVfs(Devices.PF, 4);
        assertThat(vfs).extracting(PciAddress::toString)
                .containsExactly("0000:03:00.1", "0000:03:00.2", "0000:03:00.3", "0000:03:00.4");
        SimPciDev vf = host.pciDev(vfs.get(2));
        assertThat(vf.isVirtfn()).isTrue();
        assertThat(vf.vendor()).isEqualTo(0x8086);
        assertThat(vf.device()).isEqualTo(0x1235);
        assertThat(vf.function().vfIndex()).isEqualTo(2);
        assertThat(host.function(Devices.PF).read(0x320 + SRIOV_NUM_VF, 2)).isEqualTo(4);
        assertThat(host.function(Devices.PF).read(0x320 + SRIOV_CTRL, 2) & SRIOV_CTRL_VFE).isNotZero();
        assertThat(vf.atsEnabled()).as("probe enabled the VF's ATS with the PF's STU").isTrue();
        assertThat(vf.pasidEnabled()).as("the PF's PASID is enabled, so the VF's is").isTrue();
        assertThat(host.iommuDevice(vfs.get(2)).maxPasids()).isEqualTo(1 << 20);
        assertThat(host.iommuDevice(vfs.get(2)).group()).isNotEqualTo(host.iommuDevice(vfs.get(1)).group());
    }

    @Test
    void igpuVfsFromTheCorpus() {
        DeviceImage igpu = Devices.igpu();
        SimHost host = SimHost.builder().function(igpu).build();
        SimPciDev vf = host.pciDev(host.enableVfs(igpu.address(), 2).get(1));
        assertThat(vf.vendor()).isEqualTo(0x8086);
        assertThat(vf.device()).isEqualTo(0x46a6);
        assertThat(vf.maxPasids()).as("the PF's width: 0x14 (lspci prints it in hex)").isEqualTo(1 << 20);
        CapabilityChain chain = CapabilityChain.walk(vf.function().snapshot());
        assertThat(chain.standard()).extracting(Capability::id).containsExactly(StandardCapability.PCI_EXPRESS.id(),
                StandardCapability.MSI.id(), StandardCapability.PM.id());
        assertThat(chain.find(ExtendedCapability.ATS)).map(Capability::offset).hasValue(0x200);
    }
}
