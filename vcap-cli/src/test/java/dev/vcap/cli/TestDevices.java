package dev.vcap.cli;

import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.LspciTextWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Built devices for CLI tests, written as lspci -xxxx text: they do not need the corpus. */
final class TestDevices {

    private TestDevices() {
    }

    /** An endpoint 8086:0b25 with Express at 0x40, AER at 0x100 and LTR at 0x150: 0xff8 is free. */
    static ConfigSpaceBuilder clean() {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x0b25).pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x150, ExtendedCapability.LTR, 1);
    }

    /** {@link #clean()} with a physical PASID at 0x230 (width 16, Exec+, Priv-), PRI and ATS. */
    static ConfigSpace withPasid() {
        return pasidPriAts().build();
    }

    private static ConfigSpaceBuilder pasidPriAts() {
        return clean().extended(0x220, ExtendedCapability.ATS, 1, (cs, at) -> cs.setU16(at + 4, 0x0025))
                .extended(0x230, ExtendedCapability.PASID, 1, (cs, at) -> cs.setU16(at + 4, 0x1002))
                .extended(0x240, ExtendedCapability.PRI, 1, (cs, at) -> {
                    cs.setU16(at + 6, 0x8100);
                    cs.setU32(at + 8, 0x80);
                });
    }

    /**
     * {@link #withPasid()}'s capabilities in a PF with SR-IOV at 0x260: 4 VFs, the first at routing ID
     * offset 1, VF Device ID 0x0b26.
     */
    static ConfigSpace sriovPf() {
        return pasidPriAts().extended(0x260, ExtendedCapability.SRIOV, 1, (cs, at) -> {
            cs.setU16(at + 0x0c, 4); // InitialVFs
            cs.setU16(at + 0x0e, 4); // TotalVFs
            cs.setU16(at + 0x14, 1); // First VF Offset
            cs.setU16(at + 0x16, 1); // VF Stride
            cs.setU16(at + 0x1a, 0x0b26); // VF Device ID
        }).build();
    }

    /** {@link #clean()} with a non-zero byte at 0xff9, as the Alienware M11x's 8086:2a41 has. */
    static ConfigSpace tailByte() {
        return clean().with((cs, at) -> cs.setU8(0xFF9, 0x10)).build();
    }

    /** A capability (LTR) in the last 8 bytes. */
    static ConfigSpace tailCapability() {
        return ConfigSpaceBuilder.endpoint(0x10ee, 0x9038).pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0xFF8, ExtendedCapability.LTR, 1).build();
    }

    /** A conventional PCI device: 256 bytes, no Express capability. */
    static ConfigSpace conventional() {
        return ConfigSpaceBuilder.conventional(0x1106, 0x3038).build();
    }

    /** Writes devices to one lspci file at buses 1, 2, ... */
    static Path write(Path file, ConfigSpace... devices) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            LspciTextWriter w = new LspciTextWriter(out);
            for (int i = 0; i < devices.length; i++) {
                w.write(new DeviceImage(new PciAddress(0, i + 1, 0, 0), "Test device " + (i + 1), devices[i], "built"));
            }
        }
        return file;
    }
}
