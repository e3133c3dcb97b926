package dev.vcap.guest;

/**
 * Everything the guest knows about its device comes through this port: config reads and writes,
 * as a guest kernel issues them with {@code pci_read_config_{byte,word,dword}} and
 * {@code pci_write_config_*}.
 *
 * <p>The contract the guest model relies on:
 * <ul>
 *   <li>{@code width} is 1, 2 or 4 and the access is naturally aligned ({@code offset % width == 0})
 *       and lies inside {@code [0, 4096)} — the guest model never issues anything else, as Linux's
 *       accessors refuse it ({@code PCIBIOS_BAD_REGISTER_NUMBER}) before it reaches the bus;</li>
 *   <li>a read returns the low {@code width} bytes, little-endian, zero-extended;</li>
 *   <li>a read of a register the function does not answer (past its config space) returns all
 *       ones, as a PCI error response does, and a write there is dropped.</li>
 * </ul>
 *
 * <p>The VMM's {@code VirtualConfigSpace} has the same two methods; an adapter that maps its
 * out-of-range refusal to all ones is all the guest needs.
 */
public interface ConfigPort {

    /** Reads {@code width} bytes at {@code offset}. */
    int read(int offset, int width);

    /** Writes the low {@code width} bytes of {@code value} at {@code offset}. */
    void write(int offset, int width, int value);

    /** Checks an access against the contract above; for implementations and decorators. */
    static void checkAccess(int offset, int width) {
        if (width != 1 && width != 2 && width != 4) {
            throw new IllegalArgumentException("config access width must be 1, 2 or 4, got " + width);
        }
        if (offset < 0 || offset > 4096 - width) {
            throw new IllegalArgumentException(String.format("%d-byte config access at 0x%x lies outside 0x000-0xfff",
                    width, offset));
        }
        if (offset % width != 0) {
            throw new IllegalArgumentException(String.format("%d-byte config access at 0x%x is not naturally aligned",
                    width, offset));
        }
    }
}
