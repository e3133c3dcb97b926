package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * TPH Requester extended capability, ID 0x17 (PCIe base spec 7.9.13). 12 bytes, plus the Steering
 * Tag table when the table lives in the capability (ST Table Location 1).
 *
 * <pre>
 *  31                            16 15                             0
 * +-----------------------------------------------------------------+
 * |        Extended Capability Header (ID 0x0017)                   | +0x00
 * |        TPH Requester Capability                                 | +0x04
 * |        TPH Requester Control                                    | +0x08
 * +--------------------------------+--------------------------------+
 * |        ST Table entry 1        |        ST Table entry 0        | +0x0C  (location 1 only)
 * |        ...  (ST Table Size + 1 entries of 16 bits)              |
 * +--------------------------------+--------------------------------+
 *
 * Capability: 26:16 ST Table Size (N-1), 10:9 ST Table Location (0 none, 1 here, 2 MSI-X table),
 *   8 Extended TPH Requester Supported, 2 Device Specific Mode Supported,
 *   1 Interrupt Vector Mode Supported, 0 No ST Mode Supported
 * Control: 9:8 TPH Requester Enable, 2:0 ST Mode Select
 * ST entry: 15:8 ST Upper, 7:0 ST Lower
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record TphView(ConfigSpace cs, int offset) implements CapabilityView {

    /** TPH Requester Capability, 32 bits. */
    public static final int CAPABILITY = 0x04;
    public static final int NO_ST_MODE = 1;
    public static final int INTERRUPT_VECTOR_MODE = 1 << 1;
    public static final int DEVICE_SPECIFIC_MODE = 1 << 2;
    public static final int EXTENDED_REQUESTER = 1 << 8;
    public static final int ST_TABLE_LOCATION_SHIFT = 9;
    public static final int ST_TABLE_LOCATION_MASK = 0x3 << ST_TABLE_LOCATION_SHIFT;
    public static final int ST_TABLE_SIZE_SHIFT = 16;
    public static final int ST_TABLE_SIZE_MASK = 0x7FF << ST_TABLE_SIZE_SHIFT;

    /** ST Table Location values. */
    public static final int LOCATION_NONE = 0;
    public static final int LOCATION_CAPABILITY = 1;
    public static final int LOCATION_MSIX = 2;

    /** TPH Requester Control, 32 bits. */
    public static final int CONTROL = CAPABILITY + 4;
    public static final int ST_MODE_SELECT_MASK = 0x7;
    public static final int REQUESTER_ENABLE_SHIFT = 8;
    public static final int REQUESTER_ENABLE_MASK = 0x3 << REQUESTER_ENABLE_SHIFT;

    /** First ST Table entry, 16 bits each. */
    public static final int ST_TABLE = CONTROL + 4;
    public static final int ST_LOWER_MASK = 0xFF;
    public static final int ST_UPPER_MASK = 0xFF00;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.TPH;
    }

    public int capability() {
        return read32(CAPABILITY);
    }

    public boolean interruptVectorModeSupported() {
        return (capability() & INTERRUPT_VECTOR_MODE) != 0;
    }

    public boolean deviceSpecificModeSupported() {
        return (capability() & DEVICE_SPECIFIC_MODE) != 0;
    }

    public boolean extendedRequesterSupported() {
        return (capability() & EXTENDED_REQUESTER) != 0;
    }

    public int stTableLocation() {
        return (capability() & ST_TABLE_LOCATION_MASK) >>> ST_TABLE_LOCATION_SHIFT;
    }

    /** Entries in the ST table (field + 1). */
    public int stTableSize() {
        return ((capability() & ST_TABLE_SIZE_MASK) >>> ST_TABLE_SIZE_SHIFT) + 1;
    }

    /** Entries of the table inside this capability: {@link #stTableSize()} at location 1, else 0. */
    public int stTableEntriesHere() {
        return stTableLocation() == LOCATION_CAPABILITY ? stTableSize() : 0;
    }

    public int control() {
        return read32(CONTROL);
    }

    public int stModeSelect() {
        return control() & ST_MODE_SELECT_MASK;
    }

    public int requesterEnable() {
        return (control() & REQUESTER_ENABLE_MASK) >>> REQUESTER_ENABLE_SHIFT;
    }

    /** ST Table entry {@code i}; 0 when the table is not in this capability or {@code i} is out of range. */
    public int stEntry(int i) {
        return i >= 0 && i < stTableEntriesHere() ? read16(ST_TABLE + 2 * i) : 0;
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("TPH Requester Capability", CAPABILITY, 4)
                .flag("No ST Mode Supported", NO_ST_MODE)
                .flag("Interrupt Vector Mode Supported", INTERRUPT_VECTOR_MODE)
                .flag("Device Specific Mode Supported", DEVICE_SPECIFIC_MODE)
                .flag("Extended TPH Requester Supported", EXTENDED_REQUESTER)
                .add("ST Table Location", ST_TABLE_LOCATION_MASK, v -> switch ((int) v) {
                    case LOCATION_NONE -> "not present";
                    case LOCATION_CAPABILITY -> "in the TPH Requester Capability";
                    case LOCATION_MSIX -> "in the MSI-X table";
                    default -> "reserved";
                })
                .add("ST Table Size", ST_TABLE_SIZE_MASK, v -> (v + 1) + " entries");
        f.register("TPH Requester Control", CONTROL, 4)
                .add("ST Mode Select", ST_MODE_SELECT_MASK, v -> switch ((int) v) {
                    case 0 -> "No ST Mode";
                    case 1 -> "Interrupt Vector Mode";
                    case 2 -> "Device Specific Mode";
                    default -> "reserved";
                })
                .add("TPH Requester Enable", REQUESTER_ENABLE_MASK, v -> switch ((int) v) {
                    case 0 -> "disabled";
                    case 1 -> "TPH only";
                    case 3 -> "TPH and Extended TPH";
                    default -> "reserved";
                });
        for (int i = 0; i < stTableEntriesHere(); i++) {
            f.register("ST Table Entry " + i, ST_TABLE + 2 * i, 2)
                    .hex("ST Lower", ST_LOWER_MASK)
                    .hex("ST Upper", ST_UPPER_MASK);
        }
        return f.list();
    }
}
