package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * MSI capability, ID 0x05 (PCI Local Bus 3.0 section 6.8.1; PCIe base spec 7.7.1). Its layout
 * depends on two bits of Message Control: 64-bit addressing moves Message Data from +0x08 to +0x0C,
 * and per-vector masking appends the Mask and Pending Bits registers.
 *
 * <pre>
 *  31                            16 15              8 7            0
 * +--------------------------------+-----------------+--------------+
 * |        Message Control         |    Next Ptr     |   ID 0x05    | +0x00
 * +--------------------------------+-----------------+--------------+
 * |        Message Address (31:2; bits 1:0 reserved)                | +0x04
 * +-----------------------------------------------------------------+
 * |        Message Upper Address            (64-bit only)           | +0x08
 * +--------------------------------+--------------------------------+
 * |  Extended Message Data         |        Message Data            | +0x08 (32-bit) / +0x0C (64-bit)
 * +--------------------------------+--------------------------------+
 * |        Mask Bits                        (per-vector masking)    | +0x0C / +0x10
 * |        Pending Bits                     (per-vector masking)    | +0x10 / +0x14
 * +-----------------------------------------------------------------+
 *
 * Message Control: 10 Extended Message Data Enable, 9 Extended Message Data Capable,
 *   8 Per-Vector Masking Capable, 7 64-bit Address Capable, 6:4 Multiple Message Enable,
 *   3:1 Multiple Message Capable (log2 of vectors), 0 MSI Enable
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability is
 */
public record MsiView(ConfigSpace cs, int offset) implements CapabilityView {

    /** Message Control, 16 bits. */
    public static final int MESSAGE_CONTROL = 0x02;
    public static final int ENABLE = 1;
    public static final int MULTIPLE_MESSAGE_CAPABLE_SHIFT = 1;
    public static final int MULTIPLE_MESSAGE_CAPABLE_MASK = 0x7 << MULTIPLE_MESSAGE_CAPABLE_SHIFT;
    public static final int MULTIPLE_MESSAGE_ENABLE_SHIFT = 4;
    public static final int MULTIPLE_MESSAGE_ENABLE_MASK = 0x7 << MULTIPLE_MESSAGE_ENABLE_SHIFT;
    public static final int ADDRESS_64 = 1 << 7;
    public static final int PER_VECTOR_MASKING = 1 << 8;
    public static final int EXTENDED_DATA_CAPABLE = 1 << 9;
    public static final int EXTENDED_DATA_ENABLE = 1 << 10;

    /** Message Address (low dword), 32 bits; bits 1:0 reserved. */
    public static final int MESSAGE_ADDRESS = 0x04;
    public static final int MESSAGE_ADDRESS_MASK = ~0x3;
    /** Message Upper Address, 32 bits, with 64-bit addressing only. */
    public static final int MESSAGE_UPPER_ADDRESS = 0x08;
    /** Message Data, 16 bits: at +0x08 with 32-bit addresses, +0x0C with 64-bit. */
    public static final int MESSAGE_DATA_32 = 0x08;
    public static final int MESSAGE_DATA_64 = 0x0C;
    /** Extended Message Data, 16 bits, right after Message Data. */
    public static final int EXTENDED_DATA_32 = MESSAGE_DATA_32 + 2;
    public static final int EXTENDED_DATA_64 = MESSAGE_DATA_64 + 2;
    /** Mask Bits and Pending Bits, 32 bits each, with per-vector masking only. */
    public static final int MASK_BITS_32 = 0x0C;
    public static final int MASK_BITS_64 = 0x10;
    public static final int PENDING_BITS_32 = MASK_BITS_32 + 4;
    public static final int PENDING_BITS_64 = MASK_BITS_64 + 4;

    @Override
    public CapabilityKind kind() {
        return StandardCapability.MSI;
    }

    public int messageControl() {
        return read16(MESSAGE_CONTROL);
    }

    public boolean enabled() {
        return (messageControl() & ENABLE) != 0;
    }

    /** Vectors the function can request: 2^(Multiple Message Capable). */
    public int vectorsCapable() {
        return 1 << ((messageControl() & MULTIPLE_MESSAGE_CAPABLE_MASK) >>> MULTIPLE_MESSAGE_CAPABLE_SHIFT);
    }

    /** Vectors software allocated: 2^(Multiple Message Enable). */
    public int vectorsEnabled() {
        return 1 << ((messageControl() & MULTIPLE_MESSAGE_ENABLE_MASK) >>> MULTIPLE_MESSAGE_ENABLE_SHIFT);
    }

    public boolean is64Bit() {
        return (messageControl() & ADDRESS_64) != 0;
    }

    public boolean perVectorMasking() {
        return (messageControl() & PER_VECTOR_MASKING) != 0;
    }

    public boolean extendedMessageDataCapable() {
        return (messageControl() & EXTENDED_DATA_CAPABLE) != 0;
    }

    public boolean extendedMessageDataEnabled() {
        return (messageControl() & EXTENDED_DATA_ENABLE) != 0;
    }

    /** The message address, upper dword included with 64-bit addressing. */
    public long messageAddress() {
        long low = Integer.toUnsignedLong(read32(MESSAGE_ADDRESS) & MESSAGE_ADDRESS_MASK);
        return is64Bit() ? low | (long) read32(MESSAGE_UPPER_ADDRESS) << 32 : low;
    }

    /** Where Message Data is for this layout. */
    public int messageDataRegister() {
        return is64Bit() ? MESSAGE_DATA_64 : MESSAGE_DATA_32;
    }

    public int messageData() {
        return read16(messageDataRegister());
    }

    public int extendedMessageData() {
        return read16(messageDataRegister() + 2);
    }

    /** Where Mask Bits is for this layout (meaningful with per-vector masking). */
    public int maskBitsRegister() {
        return is64Bit() ? MASK_BITS_64 : MASK_BITS_32;
    }

    /** Mask Bits, 0 without per-vector masking. */
    public int maskBits() {
        return perVectorMasking() ? read32(maskBitsRegister()) : 0;
    }

    /** Pending Bits, 0 without per-vector masking. */
    public int pendingBits() {
        return perVectorMasking() ? read32(maskBitsRegister() + 4) : 0;
    }

    /**
     * Bytes the structure occupies: 0x0A, +4 with 64-bit addresses, +2 when Extended Message Data is
     * capable and there is no masking, or +0x0A (Extended Message Data, Mask, Pending) with masking.
     */
    public int length() {
        int length = messageDataRegister() + 2;
        if (perVectorMasking()) {
            return maskBitsRegister() + 8;
        }
        return extendedMessageDataCapable() ? length + 2 : length;
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).standardHeader();
        f.register("Message Control", MESSAGE_CONTROL, 2)
                .flag("MSI Enable", ENABLE)
                .add("Multiple Message Capable", MULTIPLE_MESSAGE_CAPABLE_MASK, v -> (1 << v) + " vectors")
                .add("Multiple Message Enable", MULTIPLE_MESSAGE_ENABLE_MASK, v -> (1 << v) + " vectors")
                .flag("64 bit Address Capable", ADDRESS_64)
                .flag("Per-Vector Masking Capable", PER_VECTOR_MASKING)
                .flag("Extended Message Data Capable", EXTENDED_DATA_CAPABLE)
                .flag("Extended Message Data Enable", EXTENDED_DATA_ENABLE);
        f.register("Message Address", MESSAGE_ADDRESS, 4)
                .add("Message Address", MESSAGE_ADDRESS_MASK, v -> String.format("0x%08x", v << 2));
        if (is64Bit()) {
            f.register("Message Upper Address", MESSAGE_UPPER_ADDRESS, 4).whole("Message Upper Address");
        }
        int data = messageDataRegister();
        f.register("Message Data", data, 2).whole("Message Data");
        if (extendedMessageDataCapable()) {
            f.register("Extended Message Data", data + 2, 2).whole("Extended Message Data");
        }
        if (perVectorMasking()) {
            f.register("Mask Bits", maskBitsRegister(), 4).whole("Mask Bits");
            f.register("Pending Bits", maskBitsRegister() + 4, 4).whole("Pending Bits");
        }
        return f.list();
    }
}
