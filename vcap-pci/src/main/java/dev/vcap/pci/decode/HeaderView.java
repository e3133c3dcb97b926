package dev.vcap.pci.decode;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;

/**
 * A decoded configuration header (offsets 0x00-0x3F). The first 16 bytes are common to every
 * header type; the rest depends on the header type. Header views are not tied to a capability.
 */
public sealed interface HeaderView extends RegisterView permits Type0HeaderView, Type1HeaderView {

    /** Command register bits. */
    int COMMAND_IO_SPACE = 1;
    int COMMAND_MEMORY_SPACE = 1 << 1;
    int COMMAND_BUS_MASTER = 1 << 2;
    int COMMAND_SPECIAL_CYCLES = 1 << 3;
    int COMMAND_MWI_ENABLE = 1 << 4;
    int COMMAND_VGA_PALETTE_SNOOP = 1 << 5;
    int COMMAND_PARITY_ERROR_RESPONSE = 1 << 6;
    int COMMAND_IDSEL_STEPPING = 1 << 7;
    int COMMAND_SERR_ENABLE = 1 << 8;
    int COMMAND_FAST_BACK_TO_BACK = 1 << 9;
    int COMMAND_INTERRUPT_DISABLE = 1 << 10;

    /** Status register bits (bits 8-15 have the same meaning in a bridge's secondary status). */
    int STATUS_IMMEDIATE_READINESS = 1;
    int STATUS_INTERRUPT = 1 << 3;
    int STATUS_CAPABILITIES_LIST = 1 << 4;
    int STATUS_66MHZ = 1 << 5;
    int STATUS_FAST_BACK_TO_BACK = 1 << 7;
    int STATUS_MASTER_DATA_PARITY_ERROR = 1 << 8;
    int STATUS_DEVSEL_SHIFT = 9;
    int STATUS_DEVSEL_MASK = 0x3 << STATUS_DEVSEL_SHIFT;
    int STATUS_SIGNALED_TARGET_ABORT = 1 << 11;
    int STATUS_RECEIVED_TARGET_ABORT = 1 << 12;
    int STATUS_RECEIVED_MASTER_ABORT = 1 << 13;
    int STATUS_SIGNALED_SYSTEM_ERROR = 1 << 14;
    int STATUS_DETECTED_PARITY_ERROR = 1 << 15;

    /** BIST register fields. */
    int BIST_COMPLETION_CODE_MASK = 0x0F;
    int BIST_START = 1 << 6;
    int BIST_CAPABLE = 1 << 7;

    /** Base Address Register fields. */
    int BAR_IO_SPACE = 1;
    int BAR_MEMORY_TYPE_SHIFT = 1;
    int BAR_MEMORY_TYPE_MASK = 0x3 << BAR_MEMORY_TYPE_SHIFT;
    int BAR_MEMORY_TYPE_64 = 0x2;
    int BAR_PREFETCHABLE = 1 << 3;
    int BAR_MEMORY_ADDRESS_MASK = ~0xF;
    int BAR_IO_ADDRESS_MASK = ~0x3;

    /** Expansion ROM Base Address register fields. */
    int ROM_ENABLE = 1;
    int ROM_ADDRESS_MASK = ~0x7FF;

    /** Header layout, bits 6:0 of the Header Type register. */
    default int headerType() {
        return read8(Header.HEADER_TYPE) & Header.HEADER_TYPE_MASK;
    }

    default boolean multiFunction() {
        return (read8(Header.HEADER_TYPE) & Header.HEADER_TYPE_MULTIFUNCTION) != 0;
    }

    default int vendorId() {
        return read16(Header.VENDOR_ID);
    }

    default int deviceId() {
        return read16(Header.DEVICE_ID);
    }

    default int command() {
        return read16(Header.COMMAND);
    }

    default int status() {
        return read16(Header.STATUS);
    }

    default int revisionId() {
        return read8(Header.REVISION_ID);
    }

    /** The 24-bit class code: base class, subclass, programming interface. */
    default int classCode() {
        return read8(Header.BASE_CLASS) << 16 | read8(Header.SUBCLASS) << 8 | read8(Header.PROG_IF);
    }

    default int cacheLineSize() {
        return read8(Header.CACHE_LINE_SIZE);
    }

    default int latencyTimer() {
        return read8(Header.LATENCY_TIMER);
    }

    default int bist() {
        return read8(Header.BIST);
    }

    default boolean ioSpaceEnabled() {
        return (command() & COMMAND_IO_SPACE) != 0;
    }

    default boolean memorySpaceEnabled() {
        return (command() & COMMAND_MEMORY_SPACE) != 0;
    }

    default boolean busMasterEnabled() {
        return (command() & COMMAND_BUS_MASTER) != 0;
    }

    default boolean interruptDisabled() {
        return (command() & COMMAND_INTERRUPT_DISABLE) != 0;
    }

    default boolean capabilitiesList() {
        return (status() & STATUS_CAPABILITIES_LIST) != 0;
    }

    /** The Capabilities Pointer with its reserved low bits cleared. */
    default int capabilitiesPointer() {
        return read8(Header.CAPABILITIES_POINTER) & 0xFC;
    }

    default int interruptLine() {
        return read8(Header.INTERRUPT_LINE);
    }

    /** Interrupt Pin: 0 none, 1-4 INTA#-INTD#. */
    default int interruptPin() {
        return read8(Header.INTERRUPT_PIN);
    }

    /** Number of Base Address Registers of this header type. */
    int barCount();

    /** The raw Base Address Register {@code index}; 0 for an index the header does not have. */
    default int bar(int index) {
        return index >= 0 && index < barCount() ? read32(Header.BAR0 + 4 * index) : 0;
    }

    @Override
    default int offset() {
        return 0;
    }

    @Override
    default int spaceEnd() {
        return ConfigSpace.HEADER_SIZE;
    }
}
