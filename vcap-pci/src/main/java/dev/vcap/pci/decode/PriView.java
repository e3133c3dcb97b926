package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * Page Request Interface (PRI) extended capability, ID 0x13, 16 bytes (PCIe base spec 10.5.2).
 *
 * <pre>
 *  31                            16 15                             0
 * +--------------------------------+--------------------------------+
 * |        Extended Capability Header (ID 0x0013)                   | +0x00
 * +--------------------------------+--------------------------------+
 * |        Page Request Status     |     Page Request Control       | +0x04
 * +--------------------------------+--------------------------------+
 * |        Outstanding Page Request Capacity (RO)                   | +0x08
 * +-----------------------------------------------------------------+
 * |        Outstanding Page Request Allocation (RW)                 | +0x0C
 * +-----------------------------------------------------------------+
 *
 * Control: 1 Reset (RW, reads 0), 0 Enable
 * Status:  15 PRG Response PASID Required (RO), 8 Stopped (RO),
 *          1 Unexpected Page Request Group Index (RW1C), 0 Response Failure (RW1C)
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record PriView(ConfigSpace cs, int offset) implements CapabilityView {

    /** Page Request Control register, 16 bits. */
    public static final int CONTROL = 0x04;
    public static final int CONTROL_ENABLE = 1;
    public static final int CONTROL_RESET = 1 << 1;

    /** Page Request Status register, 16 bits. */
    public static final int STATUS = CONTROL + 2;
    public static final int STATUS_RESPONSE_FAILURE = 1;
    public static final int STATUS_UNEXPECTED_PRG_INDEX = 1 << 1;
    public static final int STATUS_STOPPED = 1 << 8;
    public static final int STATUS_PRG_RESPONSE_PASID_REQUIRED = 1 << 15;

    /** Outstanding Page Request Capacity register, 32 bits. */
    public static final int CAPACITY = STATUS + 2;
    /** Outstanding Page Request Allocation register, 32 bits. */
    public static final int ALLOCATION = CAPACITY + 4;

    /** Size of the structure. */
    public static final int LENGTH = ALLOCATION + 4;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.PRI;
    }

    public int control() {
        return read16(CONTROL);
    }

    public boolean enabled() {
        return (control() & CONTROL_ENABLE) != 0;
    }

    public boolean reset() {
        return (control() & CONTROL_RESET) != 0;
    }

    public int status() {
        return read16(STATUS);
    }

    public boolean responseFailure() {
        return (status() & STATUS_RESPONSE_FAILURE) != 0;
    }

    public boolean unexpectedPageRequestGroupIndex() {
        return (status() & STATUS_UNEXPECTED_PRG_INDEX) != 0;
    }

    public boolean stopped() {
        return (status() & STATUS_STOPPED) != 0;
    }

    public boolean prgResponsePasidRequired() {
        return (status() & STATUS_PRG_RESPONSE_PASID_REQUIRED) != 0;
    }

    /** Outstanding page requests the device may issue at most (unsigned 32 bits). */
    public long outstandingPageRequestCapacity() {
        return Integer.toUnsignedLong(read32(CAPACITY));
    }

    /** Outstanding page requests software allows (unsigned 32 bits). */
    public long outstandingPageRequestAllocation() {
        return Integer.toUnsignedLong(read32(ALLOCATION));
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("Page Request Control", CONTROL, 2)
                .flag("Enable", CONTROL_ENABLE)
                .flag("Reset", CONTROL_RESET);
        f.register("Page Request Status", STATUS, 2)
                .flag("Response Failure", STATUS_RESPONSE_FAILURE)
                .flag("Unexpected Page Request Group Index", STATUS_UNEXPECTED_PRG_INDEX)
                .flag("Stopped", STATUS_STOPPED)
                .flag("PRG Response PASID Required", STATUS_PRG_RESPONSE_PASID_REQUIRED);
        f.register("Outstanding Page Request Capacity", CAPACITY, 4)
                .number("Outstanding Page Request Capacity", 0xFFFF_FFFFL);
        f.register("Outstanding Page Request Allocation", ALLOCATION, 4)
                .number("Outstanding Page Request Allocation", 0xFFFF_FFFFL);
        return f.list();
    }
}
