package dev.vcap.vmm.config;

import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.Header;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which bits the VMM serves itself and which guest writes may reach the device, as tables: one
 * for the header and one per capability ID, in the manner of Linux's {@code vfio_pci_config.c}
 * permission tables. Anything a table does not name is passed through read-only: guest writes to
 * it are dropped.
 *
 * <p>Unlike QEMU, which forwards every guest config write to vfio first ("let it filter"), the VMM
 * forwards only the {@link Field#forward()} bits listed here, and never a bit it emulates. The guest
 * is untrusted, and vfio's own filter lets raw writes through to gaps, hidden capabilities and
 * vendor-specific capabilities.
 */
public final class WritePolicy {

    /**
     * One register of a table. Masks cover the register's {@code width} bytes; a width of 0 means
     * every byte from {@code offset} to the end of the structure, each with the masks' low byte.
     *
     * @param offset      from the start of the header or capability
     * @param width       1, 2 or 4; or 0 for "each byte to the end"
     * @param emulated    bits served from the VMM's shadow
     * @param writable    emulated bits the guest may write
     * @param w1c         emulated bits the guest clears by writing 1
     * @param forward     pass-through bits whose guest writes reach the device
     * @param hardwareW1c pass-through bits that are write-1-to-clear on the device: when the VMM
     *                    writes a register to forward some bits, these are written as 0 unless
     *                    forwarded, so a read-modify-write does not clear them by accident
     */
    public record Field(int offset, int width, int emulated, int writable, int w1c, int forward, int hardwareW1c) {
    }

    private static final int ALL = 0xFFFFFFFF;

    private final List<Field> header;
    private final Map<Integer, List<Field>> standard;
    private final Map<Integer, List<Field>> extended;
    private final Set<CapabilitySpace> gapWrites;

    private WritePolicy(List<Field> header, Map<Integer, List<Field>> standard, Map<Integer, List<Field>> extended,
            Set<CapabilitySpace> gapWrites) {
        this.header = header;
        this.standard = standard;
        this.extended = extended;
        this.gapWrites = Set.copyOf(gapWrites);
    }

    /**
     * The default tables.
     *
     * <ul>
     * <li>Header: Command's I/O, Memory, Bus Master, Parity, SERR and INTx Disable bits and
     * Status's error bits reach the device; IDs, class, BARs, ROM, subsystem, capability pointer
     * and interrupt pin are served read-only by the VMM (BAR sizing is out of scope); Cache Line
     * Size, Latency Timer and Interrupt Line are emulated read-write.</li>
     * <li>PM: power state and PME enable reach the device; PME Status is cleared there.</li>
     * <li>MSI and MSI-X: served by the VMM (it owns interrupt routing), with the guest-writable
     * bits of each.</li>
     * <li>PCI Express: Device Control (but Initiate FLR, which the VMM handles as a reset) and the
     * Device Status error bits reach the device; the rest is read-only.</li>
     * <li>AER: masks, severities and the control bits reach the device; status bits are cleared
     * there.</li>
     * <li>Vendor-specific (standard, VSEC, DVSEC): raw writes reach the device past the read-only
     * headers (the standard one's length byte, the VSEC header, DVSEC headers 1 and 2) — vfio passes
     * those too, but they are read-only in the spec and carry the lengths the chain walk uses.</li>
     * <li>Gaps in the standard space (0x40-0xff): raw writes reach the device, as vfio allows —
     * be2net and IGD keep registers there. Gaps in the extended space: dropped. vfio passes the
     * bodies of the capabilities it hides (PASID, DPC, L1SS, PTM, DOE, IDE, ...) raw, by the same
     * path as gaps, and the VMM cannot tell such a body from a gap: forwarding extended gap writes
     * would let the guest program the host's PASID Control. {@link #withGapWrites} changes this.</li>
     * </ul>
     */
    public static WritePolicy defaults() {
        List<Field> header = List.of(
                new Field(Header.VENDOR_ID, 4, ALL, 0, 0, 0, 0),
                new Field(Header.COMMAND, 2, ~0x0547 & 0xFFFF, 0, 0, 0x0547, 0),
                new Field(Header.STATUS, 2, 0, 0, 0, 0xF900, 0xF900),
                new Field(Header.REVISION_ID, 4, ALL, 0, 0, 0, 0),
                new Field(Header.CACHE_LINE_SIZE, 1, 0xFF, 0xFF, 0, 0, 0),
                new Field(Header.LATENCY_TIMER, 1, 0xFF, 0xFF, 0, 0, 0),
                new Field(Header.HEADER_TYPE, 1, 0xFF, 0, 0, 0, 0),
                new Field(Header.BIST, 1, 0xFF, 0, 0, 0, 0),
                new Field(0x10, 4, ALL, 0, 0, 0, 0), new Field(0x14, 4, ALL, 0, 0, 0, 0),
                new Field(0x18, 4, ALL, 0, 0, 0, 0), new Field(0x1C, 4, ALL, 0, 0, 0, 0),
                new Field(0x20, 4, ALL, 0, 0, 0, 0), new Field(0x24, 4, ALL, 0, 0, 0, 0),
                new Field(0x28, 4, ALL, 0, 0, 0, 0), new Field(0x2C, 4, ALL, 0, 0, 0, 0),
                new Field(0x30, 4, ALL, 0, 0, 0, 0), new Field(0x34, 4, ALL, 0, 0, 0, 0),
                new Field(0x38, 4, ALL, 0, 0, 0, 0),
                new Field(Header.INTERRUPT_LINE, 1, 0xFF, 0xFF, 0, 0, 0),
                new Field(Header.INTERRUPT_PIN, 1, 0xFF, 0, 0, 0, 0),
                new Field(Header.MIN_GNT, 2, 0xFFFF, 0, 0, 0, 0));
        Map<Integer, List<Field>> standard = new HashMap<>();
        standard.put(StandardCapability.PM.id(), List.of(new Field(4, 2, 0, 0, 0, 0x8103, 0x8000)));
        standard.put(StandardCapability.MSI.id(), List.of(
                new Field(2, 2, 0xFFFF, 0x0071, 0, 0, 0),
                new Field(4, 4, ALL, 0xFFFFFFFC, 0, 0, 0),
                new Field(8, 4, ALL, ALL, 0, 0, 0),
                new Field(12, 4, ALL, ALL, 0, 0, 0),
                new Field(16, 4, ALL, ALL, 0, 0, 0),
                new Field(20, 4, ALL, 0, 0, 0, 0)));
        standard.put(StandardCapability.MSIX.id(), List.of(
                new Field(2, 2, 0xFFFF, 0xC000, 0, 0, 0),
                new Field(4, 4, ALL, 0, 0, 0, 0),
                new Field(8, 4, ALL, 0, 0, 0, 0)));
        standard.put(StandardCapability.PCI_EXPRESS.id(), List.of(
                new Field(0x08, 2, 0x8000, 0, 0, 0x7FFF, 0),
                new Field(0x0A, 2, 0, 0, 0, 0x000F, 0x000F)));
        // the length byte and the vendor headers are read-only in the spec: keep them so, or a
        // guest could change the length the guest's own chain walk (and a migration check) uses
        standard.put(StandardCapability.VENDOR.id(), List.of(rawBody(3)));
        Map<Integer, List<Field>> extended = new HashMap<>();
        extended.put(ExtendedCapability.AER.id(), List.of(
                new Field(0x04, 4, 0, 0, 0, ALL, ALL),
                new Field(0x08, 4, 0, 0, 0, ALL, 0),
                new Field(0x0C, 4, 0, 0, 0, ALL, 0),
                new Field(0x10, 4, 0, 0, 0, ALL, ALL),
                new Field(0x14, 4, 0, 0, 0, ALL, 0),
                new Field(0x18, 4, 0, 0, 0, 0x00000140, 0)));
        extended.put(ExtendedCapability.VENDOR.id(), List.of(rawBody(8)));
        extended.put(ExtendedCapability.DVSEC.id(), List.of(rawBody(10)));
        return new WritePolicy(header, standard, extended, EnumSet.of(CapabilitySpace.STANDARD));
    }

    /** Every byte from {@code from} to the end of the structure is raw pass-through. */
    private static Field rawBody(int from) {
        return new Field(from, 0, 0, 0, 0, 0xFF, 0);
    }

    /** The same tables, with guest writes to gaps forwarded in exactly {@code spaces} and dropped elsewhere. */
    public WritePolicy withGapWrites(Set<CapabilitySpace> spaces) {
        return new WritePolicy(header, standard, extended, spaces);
    }

    /** Whether guest writes to gaps of {@code space} reach the device. */
    public boolean gapWrites(CapabilitySpace space) {
        return gapWrites.contains(space);
    }

    /**
     * Whether a header byte belongs to the layout a migration destination must reproduce. BARs,
     * the CardBus CIS pointer and the expansion ROM address are resources the VMM assigns and
     * migrates as device state; they are not part of the layout.
     */
    public boolean checkedOnMigration(int headerOffset, int headerType) {
        boolean bars = headerOffset >= Header.BAR0 && headerOffset < (headerType == Header.TYPE_BRIDGE ? 0x18 : 0x2C);
        boolean rom = headerType == Header.TYPE_BRIDGE
                ? headerOffset >= Header.ROM_ADDRESS_TYPE1 && headerOffset < Header.ROM_ADDRESS_TYPE1 + 4
                : headerOffset >= Header.ROM_ADDRESS_TYPE0 && headerOffset < Header.ROM_ADDRESS_TYPE0 + 4;
        return !bars && !rom;
    }

    List<Field> header() {
        return header;
    }

    List<Field> capability(CapabilitySpace space, int id) {
        return (space == CapabilitySpace.STANDARD ? standard : extended).getOrDefault(id, List.of());
    }
}
