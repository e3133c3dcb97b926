package dev.vcap.host.testing;

import static dev.vcap.host.PciRegs.*;

import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.pci.testing.Corpus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Devices for host tests: built ones (always available) and the corpus's PASID devices. */
public final class Devices {

    /** Where built PFs live. */
    public static final PciAddress PF = PciAddress.parse("0000:03:00.0");
    public static final PciAddress OTHER = PciAddress.parse("0000:04:00.0");

    private Devices() {
    }

    /**
     * A PCIe endpoint with PASID (width, Exec/Privileged supported as given), ATS, PRI (Stopped,
     * capacity 0x200) and SR-IOV (TotalVFs 4, offset 1, stride 1, VF Device ID 0x1235), like the
     * Alder Lake iGPU but with every bit chosen.
     */
    public static ConfigSpace sriovPf(int width, boolean exec, boolean priv, boolean pri) {
        ConfigSpaceBuilder b = ConfigSpaceBuilder.endpoint(0x8086, 0x1234).classCode(0x030000).revision(3)
                .subsystem(0x8086, 0x0001)
                .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .with((cs, at) -> cs.setU32(0x40 + EXP_DEVCAP, cs.u32(0x40 + EXP_DEVCAP) | EXP_DEVCAP_FLR))
                .standard(0x80, StandardCapability.MSIX, (cs, at) -> cs.setU16(at + 2, 7))
                .standard(0x90, StandardCapability.PM, (cs, at) -> cs.setU16(at + 2, 0x0003))
                .extended(0x100, ExtendedCapability.PASID, 1,
                        (cs, at) -> cs.setU16(at + PASID_CAP, width << 8 | (exec ? 2 : 0) | (priv ? 4 : 0)))
                .extended(0x200, ExtendedCapability.ATS, 1, (cs, at) -> cs.setU16(at + ATS_CAP, 0x0020));
        if (pri) {
            b.extended(0x300, ExtendedCapability.PRI, 1, (cs, at) -> {
                cs.setU16(at + PRI_STATUS, PRI_STATUS_STOPPED | PRI_STATUS_PASID);
                cs.setU32(at + PRI_MAX_REQ, 0x200);
            });
        }
        return b.extended(0x320, ExtendedCapability.SRIOV, 1, (cs, at) -> {
            cs.setU16(at + SRIOV_INITIAL_VF, 4);
            cs.setU16(at + SRIOV_TOTAL_VF, 4);
            cs.setU16(at + SRIOV_VF_OFFSET, 1);
            cs.setU16(at + SRIOV_VF_STRIDE, 1);
            cs.setU16(at + SRIOV_VF_DID, 0x1235);
            cs.setU32(at + SRIOV_BAR, 0x4000_000C);  // 64-bit prefetchable VF BAR0
            cs.setU32(at + SRIOV_BAR + 4, 0x40);
        }).build();
    }

    /** {@link #sriovPf} with a 20-bit PASID, Exec and Privileged supported, and PRI. */
    public static ConfigSpace sriovPf() {
        return sriovPf(20, true, true, true);
    }

    /** A PCIe endpoint with PASID of the given width and ATS, no PRI, no SR-IOV. */
    public static ConfigSpace pasidEndpoint(int width) {
        return ConfigSpaceBuilder.endpoint(0x1AF4, 0x10FF)
                .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.ATS, 1)
                .extended(0x108, ExtendedCapability.PASID, 1, (cs, at) -> cs.setU16(at + PASID_CAP, width << 8))
                .build();
    }

    /** A PCIe endpoint without PASID, PRI or ATS. */
    public static ConfigSpace plainEndpoint() {
        return ConfigSpaceBuilder.endpoint(0x1AF4, 0x1000)
                .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2)
                .build();
    }

    /** Intel DSA 8086:0b25 from the corpus (ATS, PASID, PRI, DVSEC); skips without the corpus. */
    public static DeviceImage dsa() {
        return corpus("pciutils_pri-pasid__6a-01.0__8086-0b25.lspci");
    }

    /** Intel Alder Lake-P iGPU 8086:46a6 from the corpus (SR-IOV PF with PASID, ATS, PRI). */
    public static DeviceImage igpu() {
        return corpus("mail-linux-pci_e6f2d117f4a8__00-02.0__8086-46a6.lspci");
    }

    private static DeviceImage corpus(String name) {
        Path file = Corpus.require().resolve("dumps").resolve(name);
        try {
            return Dumps.readAll(file).getFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
