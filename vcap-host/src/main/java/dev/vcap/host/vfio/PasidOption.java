package dev.vcap.host.vfio;

import java.util.Map;
import java.util.Objects;

/**
 * Whether, and where, vfio-pci shows the user a PASID capability. Linux 6.15 hides it
 * ({@link Hidden}); the other three are the kernel-side options the 2024 seed thread weighed and
 * nobody merged, kept selectable so they can be compared with the VMM's placement on the same
 * devices. Each emulated capability is 8 bytes: header (ID 0x1B, version 1) and Capability
 * read-only — Max PASID Width from the IOMMU, Exec/Privileged Supported set to what is enabled on
 * the PF — and Control virtual (guest writes land in vfio's copy, never on the device, whose PASID
 * the host kernel enabled at IOMMU probe).
 */
public sealed interface PasidOption {

    /** Linux 6.15: {@code pci_ext_cap_length[PCI_EXT_CAP_ID_PASID] = 0}. */
    record Hidden() implements PasidOption {
    }

    /**
     * Emulate 1:1 at the physical offset: a PF's own PASID capability's offset; for a VF (which has
     * none) the offset of its PF's, "the PF config space is often a template for the VF".
     */
    record PhysicalOffset() implements PasidOption {
    }

    /**
     * Emulate at an offset a DVSEC names. No such DVSEC exists; this experimental format is ours: a
     * DVSEC with the given DVSEC Vendor ID and DVSEC ID whose 16-bit register at +0x0A holds the
     * offset. A VF without one uses its PF's.
     */
    record DvsecOffset(int dvsecVendor, int dvsecId) implements PasidOption {

        /** Offset of the 16-bit "virtual PASID offset" register within the DVSEC. */
        public static final int OFFSET_REGISTER = 0x0A;
    }

    /** Emulate at the offset a per-device table gives (keyed by the PCI core's vendor and device IDs). */
    record LookupTable(Map<Integer, Integer> offsets) implements PasidOption {

        public LookupTable {
            offsets = Map.copyOf(Objects.requireNonNull(offsets, "offsets"));
        }

        /** The table key of a vendor/device pair. */
        public static int key(int vendor, int device) {
            return vendor << 16 | device;
        }

        /** A one-entry table. */
        public static LookupTable of(int vendor, int device, int offset) {
            return new LookupTable(Map.of(key(vendor, device), offset));
        }
    }

    static PasidOption hidden() {
        return new Hidden();
    }

    static PasidOption physicalOffset() {
        return new PhysicalOffset();
    }
}
