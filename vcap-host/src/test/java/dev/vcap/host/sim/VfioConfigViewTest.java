package dev.vcap.host.sim;

import static dev.vcap.host.PciRegs.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.ConfigRegion;
import dev.vcap.host.testing.Devices;
import dev.vcap.host.vfio.PasidOption;
import dev.vcap.host.vfio.PermBits;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.config.PciAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** vfio-pci's view of config space (DOMAIN.md section 5) on built and corpus devices. */
class VfioConfigViewTest {

    /** Reads a whole region through its 4-byte accesses. */
    static ConfigSpace bytes(ConfigRegion r) {
        ConfigSpace cs = ConfigSpace.allocate(r.size());
        for (int p = 0; p < r.size(); p += 4) {
            cs.setU32(p, r.read(p, 4));
        }
        return cs;
    }

    static List<String> extended(ConfigRegion r) {
        return CapabilityChain.walk(bytes(r)).extended().stream()
                .map(c -> String.format("%s@%x", c.kind().map(k -> k.abbreviation()).orElse("#" + c.id()), c.offset()))
                .toList();
    }

    static List<String> standard(ConfigRegion r) {
        return CapabilityChain.walk(bytes(r)).standard().stream()
                .map(c -> String.format("%s@%x", c.kind().map(k -> k.abbreviation()).orElse("#" + c.id()), c.offset()))
                .toList();
    }

    /** A device with every kind of region: vendor, hidden standard and extended capabilities, gaps. */
    static ConfigSpace mixed() {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x0b25)
                .standard(0x40, StandardCapability.PM, (cs, at) -> cs.setU16(at + 2, 0xC803))
                .standard(0x48, StandardCapability.VENDOR, (cs, at) -> cs.setU8(at + 2, 8))
                .standard(0x50, StandardCapability.DEBUG_PORT.id(), (cs, at) -> { })
                .pcie(0x60, DeviceTraits.PCIE_ENDPOINT)
                .with((cs, at) -> cs.setU32(0x60 + EXP_DEVCAP, EXP_DEVCAP_FLR))
                .standard(0xA0, StandardCapability.MSIX)
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x140, ExtendedCapability.DOE, 1)
                .extended(0x160, ExtendedCapability.ATS, 1, (cs, at) -> cs.setU16(at + ATS_CAP, 0x20))
                .extended(0x170, ExtendedCapability.PASID, 1, (cs, at) -> cs.setU16(at + PASID_CAP, 0x1404))
                .extended(0x180, ExtendedCapability.PRI, 1, (cs, at) -> cs.setU16(at + PRI_STATUS, PRI_STATUS_STOPPED))
                .extended(0x200, ExtendedCapability.DVSEC, 1, (cs, at) -> {
                    cs.setU32(at + 4, 0x00C1_1E98);  // length 0x0C, revision 1, vendor 1e98
                    cs.setU16(at + 8, 0x0042);
                })
                .extended(0x300, ExtendedCapability.SRIOV, 1)
                .build();
    }

    static SimVfioDevice open(ConfigSpace cs) {
        return SimHost.builder().function(Devices.PF, cs).build().openDevice(Devices.PF);
    }

    @Test
    void hiddenCapabilitiesAreUnlinkedAndTheRestKeepTheirOffsets() {
        SimVfioDevice d = open(mixed());
        assertThat(standard(d.config())).containsExactly("PM@40", "VNDR@48", "EXP@60", "MSI-X@a0");
        assertThat(extended(d.config())).containsExactly("AER@100", "ATS@160", "PRI@180", "DVSEC@200", "SR-IOV@300");
    }

    @Test
    void aHiddenFirstExtendedCapabilityLeavesAnIdZeroStubWithItsNextPointer() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x46a6).pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.PASID, 1, (c, at) -> c.setU16(at + 4, 0x0E00))
                .extended(0x200, ExtendedCapability.ATS, 1).build();
        SimVfioDevice d = open(cs);
        assertThat(d.config().read(0x100, 4)).isEqualTo(ExtendedCapability.header(0, 0, 0x200));
        assertThat(d.config().read(0x104, 4)).as("the hidden body reads raw: Control shows the PASID the IOMMU"
                + " enabled at probe").isEqualTo(PASID_CTRL_ENABLE << 16 | 0x0E00);
        assertThat(extended(d.config())).containsExactly("#0@100", "ATS@200");
    }

    @Test
    void anExtendedListOfOnlyHiddenCapabilitiesReadsAsEmpty() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x1111).pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.PASID, 1).extended(0x200, ExtendedCapability.DOE, 1).build();
        assertThat(open(cs).config().read(0x100, 4)).isZero();
    }

    static Stream<Arguments> regions() {
        return Stream.of(
                Arguments.of(0x00, "header"), Arguments.of(0x3D, "header"),
                Arguments.of(0x40, "PM"), Arguments.of(0x4A, "vendor"),
                Arguments.of(0x50, "unassigned"),   // debug port: hidden, its bytes raw
                Arguments.of(0x62, "EXP"), Arguments.of(0x8B, "EXP"),
                Arguments.of(0x90, "EXP"),          // Link Control 2: vfio_cap_len gives a v2 endpoint 0x34 bytes
                Arguments.of(0x93, "EXP"),
                Arguments.of(0x94, "unassigned"),   // Slot Capabilities 2 and beyond: raw
                Arguments.of(0xA4, "default"),      // MSI-X: read-only, writes dropped
                Arguments.of(0xF0, "unassigned"),
                Arguments.of(0x104, "AER"),
                Arguments.of(0x140, "unassigned"),  // DOE: newer than vfio's table, hidden
                Arguments.of(0x166, "default"),     // ATS
                Arguments.of(0x176, "unassigned"),  // PASID: hidden, its body raw
                Arguments.of(0x184, "default"),     // PRI
                Arguments.of(0x208, "vendor"),      // DVSEC
                Arguments.of(0x20C, "unassigned"),  // past the DVSEC's 0x0C bytes
                Arguments.of(0x308, "default"),     // SR-IOV
                Arguments.of(0xFFC, "unassigned"));
    }

    @ParameterizedTest(name = "0x{0}: {1}")
    @MethodSource("regions")
    void eachByteIsServedByItsCapabilitysPermissionTable(int pos, String table) {
        PermBits p = open(mixed()).config().permissionsAt(pos);
        assertThat(p.name()).isEqualTo(table);
    }

    static Stream<Arguments> writes() {
        // offset, width, value, reaches hardware, what the view reads back (HW: the device's value)
        return Stream.of(
                Arguments.of("ATS Control: dropped", 0x166, 2, 0x0000, false, HW),
                Arguments.of("PRI Control: dropped", 0x184, 2, 0x0001, false, HW),
                Arguments.of("SR-IOV Control: dropped", 0x308, 2, 0x0001, false, HW),
                Arguments.of("MSI-X Control: dropped", 0xA2, 2, 0x8000, false, HW),
                Arguments.of("Link Control 2 (PCI Express v2): dropped", 0x90, 2, 0x0003, false, HW),
                Arguments.of("PASID Control (hidden body): raw", 0x176, 2, 0x0005, true, 0x0005),
                Arguments.of("DOE body (hidden): raw", 0x148, 4, 0x1234_5678, true, 0x1234_5678),
                Arguments.of("gap: raw", 0x400, 4, 0xCAFE_F00D, true, 0xCAFE_F00D),
                Arguments.of("standard gap: raw", 0xF0, 4, 0x0102_0304, true, 0x0102_0304),
                Arguments.of("vendor capability body: raw", 0x4C, 4, 0x0A0B_0C0D, true, 0x0A0B_0C0D),
                Arguments.of("DVSEC body: raw", 0x20A, 2, 0x00AA, true, 0x00AA),
                Arguments.of("extended header: virtual, read-only", 0x160, 4, 0xFFFF_FFFF, false,
                        ExtendedCapability.header(0x0F, 1, 0x180)),
                Arguments.of("AER uncorrectable mask: written through", 0x108, 4, 0x0000_1000, true, 0x0000_1000),
                Arguments.of("Device ID: virtual, read-only", 0x02, 2, 0xBEEF, false, 0x0b25),
                Arguments.of("Interrupt Line: virtual", 0x3C, 1, 0x0B, false, 0x0B),
                Arguments.of("Latency Timer: written through", 0x0D, 1, 0x40, true, 0x40));
    }

    private static final int HW = Integer.MIN_VALUE;

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void writes(String name, int offset, int width, int value, boolean reachesHardware, int readBack) {
        SimVfioDevice d = open(mixed());
        SimFunction hw = d.pciDev().function();
        int before = hw.read(offset, width);
        d.config().write(offset, width, value);
        if (reachesHardware) {
            assertThat(hw.read(offset, width)).isEqualTo(value);
        } else {
            assertThat(hw.read(offset, width)).isEqualTo(before);
        }
        assertThat(d.config().read(offset, width)).isEqualTo(readBack == HW ? before : readBack);
    }

    @Test
    void barsAreSizedOnTheVirtualCopy() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x0b25)
                .with((c, at) -> {
                    c.setU32(0x10, 0xF000_000C);   // 64-bit prefetchable at 0x20_F000_0000
                    c.setU32(0x14, 0x20);
                    c.setU32(0x18, 0x0000_5001);   // I/O at 0x5000
                }).build();
        SimHost host = SimHost.builder().function(Devices.PF, cs, new long[] {0x10_0000, 0, 0x40, 0, 0, 0, 0}).build();
        ConfigRegion v = host.openDevice(Devices.PF).config();
        v.write(0x10, 4, -1);
        v.write(0x14, 4, -1);
        v.write(0x18, 4, -1);
        assertThat(v.read(0x10, 4)).isEqualTo(0xFFF0_000C);
        assertThat(v.read(0x14, 4)).isEqualTo(0xFFFF_FFFF);
        assertThat(v.read(0x18, 4)).isEqualTo(0xFFFF_FFC1);
        assertThat(v.read(0x1C, 4)).as("unimplemented").isZero();
        assertThat(host.function(Devices.PF).read(0x10, 4)).as("the device's BAR is untouched").isEqualTo(0xF000_000C);
    }

    @Test
    void aVirtualFlrWriteResetsTheFunction() {
        SimVfioDevice d = open(mixed());
        d.config().write(0x60 + EXP_DEVCTL, 2, EXP_DEVCTL_BCR_FLR);
        assertThat(d.pciDev().function().resets()).isEqualTo(1);
        assertThat(d.config().read(0x60 + EXP_DEVCTL, 2) & EXP_DEVCTL_BCR_FLR).isZero();
    }

    // ------------------------------------------------------------------ vfio_cap_len, vfio_cap_init

    static Stream<Arguments> pciExpressLengths() {
        return Stream.of(
                Arguments.of("v2 endpoint", 2, DeviceTraits.PCIE_ENDPOINT, 0x34),
                Arguments.of("v2 legacy endpoint", 2, DeviceTraits.PCIE_LEGACY_ENDPOINT, 0x34),
                Arguments.of("v2 root-complex integrated endpoint", 2, DeviceTraits.PCIE_RC_INTEGRATED_ENDPOINT, 0x2C),
                Arguments.of("v1 endpoint", 1, DeviceTraits.PCIE_ENDPOINT, 20),
                Arguments.of("v1 root-complex integrated endpoint", 1, DeviceTraits.PCIE_RC_INTEGRATED_ENDPOINT, 12));
    }

    /** vfio_cap_len: the PCI Express structure vfio maps, by version and Device/Port Type. */
    @ParameterizedTest(name = "{0}: {3} bytes")
    @MethodSource("pciExpressLengths")
    void vfioCapLenSizesPciExpressByVersionAndType(String name, int version, int type, int length) {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x1111)
                .standard(0x40, StandardCapability.PCI_EXPRESS,
                        (c, at) -> c.setU16(at + EXP_FLAGS, type << 4 | version))
                .standard(0xA0, StandardCapability.MSIX).build();
        var view = open(cs).config();
        assertThat(view.permissionsAt(0x40 + length - 1).name()).isEqualTo("EXP");
        assertThat(view.permissionsAt(0x40 + length).name()).isEqualTo("unassigned");
    }

    /**
     * vfio_cap_init sizes only IDs 1..PCI_CAP_ID_MAX: ID 0 (a null capability, which would clash with
     * the header's pseudo-ID) and IDs past the table are unlinked and their bytes stay raw.
     */
    @ParameterizedTest(name = "ID 0x{0}")
    @ValueSource(ints = {0x00, 0x15, 0xFE})
    void vfioCapInitHidesANullOrUnknownCapabilityAndLeavesItsBytesRaw(int id) {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x1111)
                .standard(0x40, StandardCapability.PM)
                .standard(0x50, id, (c, at) -> c.setU32(at + 4, 0x1234_5678))
                .pcie(0x60, DeviceTraits.PCIE_ENDPOINT).build();
        SimVfioDevice d = open(cs);
        assertThat(standard(d.config())).containsExactly("PM@40", "EXP@60");
        assertThat(d.config().read(0x41, 1)).as("PM's next pointer skips it").isEqualTo(0x60);
        assertThat(d.config().permissionsAt(0x50).name()).isEqualTo("unassigned");
        assertThat(d.config().permissionsAt(0x57).name()).isEqualTo("unassigned");
        d.config().write(0x54, 4, 0xCAFE_F00D);
        assertThat(d.pciDev().function().read(0x54, 4)).isEqualTo(0xCAFE_F00D);
    }

    /**
     * vfio_exp_config_write: Max Read Request Size is virtual, and a change is set on the device by
     * pcie_set_readrq, at least the device's Max Payload Size; a reserved size leaves the device alone.
     * Max Payload Size never reaches the device.
     */
    @Test
    void vfioExpConfigWriteSetsMaxReadRequestSizeThroughPcieSetReadrq() {
        int devctl = 0x60 + EXP_DEVCTL;
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x1111).pcie(0x60, DeviceTraits.PCIE_ENDPOINT)
                .with((c, at) -> c.setU16(devctl, 1 << 5 | 2 << 12))   // MPS 256, MRRS 512
                .build();
        SimVfioDevice d = open(cs);
        SimFunction hw = d.pciDev().function();
        d.config().write(devctl, 2, 1 << 5 | 5 << 12);                 // MRRS 4096
        assertThat(hw.read(devctl, 2) & EXP_DEVCTL_READRQ).isEqualTo(5 << 12);
        assertThat(d.config().read(devctl, 2) & EXP_DEVCTL_READRQ).isEqualTo(5 << 12);
        d.config().write(devctl, 2, 1 << 5);                             // MRRS 128: raised to MPS 256
        assertThat(hw.read(devctl, 2) & EXP_DEVCTL_READRQ).isEqualTo(1 << 12);
        assertThat(d.config().read(devctl, 2) & EXP_DEVCTL_READRQ).as("the user reads what it wrote").isZero();
        d.config().write(devctl, 2, 1 << 5 | 6 << 12);                  // 8192: reserved, EINVAL
        assertThat(hw.read(devctl, 2) & EXP_DEVCTL_READRQ).isEqualTo(1 << 12);
        assertThat(d.config().read(devctl, 2) & EXP_DEVCTL_READRQ).isEqualTo(6 << 12);
        d.config().write(devctl, 2, 5 << 5 | 6 << 12);                  // MPS 4096: virtual only
        assertThat(hw.read(devctl, 2) & EXP_DEVCTL_PAYLOAD).isEqualTo(1 << 5);
        assertThat(d.config().read(devctl, 2) & EXP_DEVCTL_PAYLOAD).isEqualTo(5 << 5);
    }

    /**
     * vfio_basic_config_write with no INTx interrupt set up: INTx Disable is virtual, and
     * __vfio_pci_intx_mask / vfio_pci_intx_unmask_handler make the device's bit follow it (pci_intx)
     * when the PCI core found it writable. Linux 7.3.4 does so on QEMU's devices (ConfigViewKernelTest
     * caught the model keeping it virtual only).
     */
    @Test
    void intxDisableReachesTheDeviceWhenItsMaskIsSupported() {
        SimVfioDevice d = open(ConfigSpaceBuilder.endpoint(0x8086, 0x1111).build());
        SimFunction hw = d.pciDev().function();
        assertThat(d.pciDev().intxMaskSupported()).isTrue();
        d.config().write(Header.COMMAND, 2, COMMAND_MEMORY | COMMAND_INTX_DISABLE);
        assertThat(hw.read(Header.COMMAND, 2) & COMMAND_INTX_DISABLE).isEqualTo(COMMAND_INTX_DISABLE);
        assertThat(d.config().read(Header.COMMAND, 2) & COMMAND_INTX_DISABLE).isEqualTo(COMMAND_INTX_DISABLE);
        d.config().write(Header.COMMAND + 1, 1, 0);
        assertThat(hw.read(Header.COMMAND, 2) & COMMAND_INTX_DISABLE).isZero();
    }

    /** A VF's INTx Disable is not writable (pci_intx_mask_broken): it stays virtual. */
    @Test
    void intxDisableStaysVirtualWithoutMaskSupport() {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        SimVfioDevice vf = host.openDevice(host.enableVfs(Devices.PF, 1).getFirst());
        assertThat(vf.pciDev().intxMaskSupported()).isFalse();
        vf.config().write(Header.COMMAND, 2, COMMAND_INTX_DISABLE);
        assertThat(vf.pciDev().function().read(Header.COMMAND, 2) & COMMAND_INTX_DISABLE).isZero();
        assertThat(vf.config().read(Header.COMMAND, 2) & COMMAND_INTX_DISABLE).isEqualTo(COMMAND_INTX_DISABLE);
    }

    /**
     * vfio_msi_config_write caps Multiple Message Enable at msi_qmax (0 until MSI is enabled through
     * VFIO_DEVICE_SET_IRQS) and writes the flags, Enable cleared, to the device; Multiple Message
     * Capable reads as written, because vfio_msi_config_read puts msi_qmax into vconfig at the
     * capability's start instead of into Message Control (Linux 7.3.4 and 6.12.118 both show it).
     */
    @Test
    void msiMultipleMessageEnableIsCappedAndCapableReadsAsWritten() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x1111)
                .standard(0x50, StandardCapability.MSI, (c, at) -> c.setU16(at + MSI_FLAGS, MSI_FLAGS_64BIT | 3 << 1))
                .build();
        SimVfioDevice d = open(cs);
        int flags = 0x50 + MSI_FLAGS;
        d.config().write(flags, 2, MSI_FLAGS_64BIT | 1 << 1 | 2 << 4 | MSI_FLAGS_ENABLE);
        assertThat(d.config().read(flags, 2)).as("MME capped at 0, Enable cleared, MMC as written")
                .isEqualTo(MSI_FLAGS_64BIT | 1 << 1);
        assertThat(d.pciDev().function().read(flags, 2) & (MSI_FLAGS_QSIZE | MSI_FLAGS_ENABLE)).isZero();
    }

    @Test
    void anUnalignedAccessIsSplitAtCapabilityBoundaries() {
        SimVfioDevice d = open(mixed());
        // 0x17E..0x181: the last two bytes of hidden PASID (raw) and the first two of PRI's header (virtual)
        int v = d.config().read(0x17E, 4);
        assertThat(v >>> 16).isEqualTo(ExtendedCapability.header(0x13, 1, 0x200) & 0xFFFF);
    }

    @Test
    void pmeIsNotAdvertised() {
        SimVfioDevice d = open(mixed());
        assertThat(d.config().read(0x40 + PM_PMC, 2) & PM_CAP_PME_MASK).isZero();
        assertThat(d.pciDev().function().read(0x40 + PM_PMC, 2) & PM_CAP_PME_MASK).isEqualTo(0xC800);
    }

    // ------------------------------------------------------------------ VFs

    @Test
    void aVfShowsThePciCoresIdsAndNoInterruptPin() {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        PciAddress vf = host.enableVfs(Devices.PF, 1).getFirst();
        SimVfioDevice d = host.openDevice(vf);
        assertThat(d.pciDev().function().read(Header.VENDOR_ID, 4)).as("hardware").isEqualTo(0xFFFF_FFFF);
        assertThat(d.config().read(Header.VENDOR_ID, 2)).isEqualTo(0x8086);
        assertThat(d.config().read(Header.DEVICE_ID, 2)).isEqualTo(0x1235);
        assertThat(d.config().read(Header.INTERRUPT_PIN, 1)).isZero();
        d.config().write(Header.COMMAND, 2, COMMAND_MEMORY);
        assertThat(d.config().read(Header.COMMAND, 2) & COMMAND_MEMORY).as("a VF's memory enable is virtual").isNotZero();
        assertThat(d.pciDev().function().read(Header.COMMAND, 2) & COMMAND_MEMORY).isZero();
        assertThat(extended(d.config())).containsExactly("#0@100", "ATS@200");
    }

    // ------------------------------------------------------------------ corpus

    @Test
    void dsaHidesPasidAndShowsAtsAndPriReadOnly() {
        DeviceImage dsa = Devices.dsa();
        SimHost host = SimHost.builder().function(dsa).build();
        SimVfioDevice d = host.openDevice(dsa.address());
        assertThat(extended(d.config())).containsExactly("AER@100", "LTR@150", "TPH@160", "VC@170", "DVSEC@200",
                "ATS@220", "PRI@240");
        SimFunction hw = d.pciDev().function();
        int ats = hw.read(0x226, 2);
        d.config().write(0x226, 2, 0);
        assertThat(hw.read(0x226, 2)).isEqualTo(ats).isNotZero();
        d.config().write(0x236, 2, 0);
        assertThat(hw.read(0x236, 2)).as("the hidden PASID's Control is raw").isZero();
    }

    @Test
    void theOneCallViewOfADumpIsTheViewOfAnOpenedDevice() {
        assertThat(extended(SimHost.vfioView(mixedImage()))).containsExactly("AER@100", "ATS@160", "PRI@180",
                "DVSEC@200", "SR-IOV@300");
        assertThat(bytes(SimHost.vfioView(mixedImage()))).isEqualTo(bytes(open(mixed()).config()));
        assertThat(extended(SimHost.vfioView(mixedImage(), PasidOption.physicalOffset()))).contains("PASID@170");
        DeviceImage dsa = Devices.dsa();
        ConfigRegion view = SimHost.vfioView(dsa);
        assertThat(bytes(view)).isEqualTo(bytes(SimHost.builder().function(dsa).build().openDevice(dsa.address())
                .config()));
        assertThat(extended(view)).doesNotContain("PASID@230").contains("ATS@220", "PRI@240");
    }

    private static DeviceImage mixedImage() {
        return new DeviceImage(Devices.PF, "mixed", mixed(), "built");
    }

    @Test
    void igpuPfKeepsAStubWhereItsPasidWas() {
        DeviceImage igpu = Devices.igpu();
        SimHost host = SimHost.builder().function(igpu).build();
        SimVfioDevice d = host.openDevice(igpu.address());
        assertThat(d.config().read(0x100, 4)).isEqualTo(ExtendedCapability.header(0, 0, 0x200));
        assertThat(extended(d.config())).containsExactly("#0@100", "ATS@200", "PRI@300", "SR-IOV@320");
        assertThat(standard(d.config())).containsExactly("VNDR@40", "EXP@70", "MSI@ac", "PM@d0");
    }

    @Test
    void igpuVfsTakeTheirIdsFromThePf() {
        DeviceImage igpu = Devices.igpu();
        SimHost host = SimHost.builder().function(igpu).build();
        List<PciAddress> vfs = host.enableVfs(igpu.address(), 7);
        assertThat(vfs).hasSize(7).first().isEqualTo(PciAddress.parse("00:02.1"));
        SimVfioDevice d = host.openDevice(vfs.get(6));
        assertThat(d.address()).isEqualTo(PciAddress.parse("00:02.7"));
        assertThat(d.config().read(0, 4)).isEqualTo(0x46a6_8086);
        assertThat(extended(d.config())).containsExactly("#0@100", "ATS@200");
        List<Capability> hwExt = CapabilityChain.walk(d.pciDev().function().snapshot()).extended();
        assertThat(hwExt).extracting(Capability::id).doesNotContain(ExtendedCapability.PASID.id(),
                ExtendedCapability.PRI.id());
    }
}
