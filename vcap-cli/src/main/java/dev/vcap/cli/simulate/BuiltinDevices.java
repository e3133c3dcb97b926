package dev.vcap.cli.simulate;

import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Devices a scenario may name instead of a dump.
 *
 * <ul>
 * <li>{@code pasid-pf}: an SR-IOV PF (8086:1234, VF Device ID 0x1235, TotalVFs 4) with PASID
 * (20 bits, Exec supported, Privileged not), ATS, PRI, FLR and End-End TLP prefixes (which Linux
 * requires before it enables PASID); its layout is chosen for the scenarios, not copied from a
 * real device;</li>
 * <li>{@code plain-endpoint}: a PCIe endpoint with AER and nothing PASID-related.</li>
 * </ul>
 */
public final class BuiltinDevices {

    /** Each device by name, built afresh. */
    public static final Map<String, Supplier<ConfigSpace>> ALL = Map.of(
            "pasid-pf", BuiltinDevices::pasidPf,
            "plain-endpoint", BuiltinDevices::plainEndpoint);

    private BuiltinDevices() {
    }

    static ConfigSpace pasidPf() {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x1234).classCode(0x030000).revision(3).subsystem(0x8086, 0x0001)
                .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .with((cs, at) -> {
                    cs.setU32(0x44, cs.u32(0x44) | 1 << 28); // Device Capabilities: FLR
                    cs.setU32(0x64, 1 << 21 | 1 << 22); // Device Capabilities 2: End-End TLP Prefix, 1 prefix
                })
                .standard(0x80, StandardCapability.MSIX, (cs, at) -> cs.setU16(at + 2, 7))
                .standard(0x90, StandardCapability.PM, (cs, at) -> cs.setU16(at + 2, 0x0003))
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x148, ExtendedCapability.ARI, 1)
                .extended(0x200, ExtendedCapability.PASID, 1, (cs, at) -> cs.setU16(at + 4, 20 << 8 | 1 << 1))
                .extended(0x210, ExtendedCapability.ATS, 1, (cs, at) -> cs.setU16(at + 4, 0x0020))
                .extended(0x220, ExtendedCapability.PRI, 1, (cs, at) -> {
                    cs.setU16(at + 6, 1 << 8 | 1 << 15); // Stopped, PRG Response PASID Required
                    cs.setU32(at + 8, 0x200);
                })
                .extended(0x300, ExtendedCapability.SRIOV, 1, (cs, at) -> {
                    cs.setU16(at + 0x0C, 4); // InitialVFs
                    cs.setU16(at + 0x0E, 4); // TotalVFs
                    cs.setU16(at + 0x14, 1); // First VF Offset
                    cs.setU16(at + 0x16, 1); // VF Stride
                    cs.setU16(at + 0x1A, 0x1235); // VF Device ID
                })
                .build();
    }

    static ConfigSpace plainEndpoint() {
        return ConfigSpaceBuilder.endpoint(0x1AF4, 0x1000).classCode(0x020000)
                .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2)
                .build();
    }
}
