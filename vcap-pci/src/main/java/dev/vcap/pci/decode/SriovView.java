package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Hex;
import java.util.List;

/**
 * Single Root I/O Virtualization (SR-IOV) extended capability, ID 0x10, 64 bytes (PCIe base spec
 * 9.3.3).
 *
 * <pre>
 *  31                            16 15              8 7            0
 * +--------------------------------+-----------------+--------------+
 * |        Extended Capability Header (ID 0x0010)                   | +0x00
 * +-----------------------------------------------------------------+
 * |        SR-IOV Capabilities                                      | +0x04
 * +--------------------------------+--------------------------------+
 * |        SR-IOV Status           |        SR-IOV Control          | +0x08
 * +--------------------------------+--------------------------------+
 * |        TotalVFs (RO)           |        InitialVFs (RO)         | +0x0C
 * +--------------------------------+-----------------+--------------+
 * |        reserved                | Func Dep Link   |   NumVFs     | +0x10  (NumVFs is 16 bits)
 * +--------------------------------+-----------------+--------------+
 * |        VF Stride               |        First VF Offset         | +0x14
 * +--------------------------------+--------------------------------+
 * |        VF Device ID            |        reserved                | +0x18
 * +--------------------------------+--------------------------------+
 * |        Supported Page Sizes (RO)                                | +0x1C
 * |        System Page Size (RW)                                    | +0x20
 * |        VF BAR0 .. VF BAR5                                       | +0x24 .. +0x38
 * |        VF Migration State Array Offset (31:3 offset, 2:0 BIR)   | +0x3C
 * +-----------------------------------------------------------------+
 *
 * Capabilities: 31:21 VF Migration Interrupt Message Number, 2 VF 10-Bit Tag Requester Supported,
 *               1 ARI Capable Hierarchy Preserved, 0 VF Migration Capable
 * Control:      5 VF 10-Bit Tag Requester Enable, 4 ARI Capable Hierarchy, 3 VF MSE,
 *               2 VF Migration Interrupt Enable, 1 VF Migration Enable, 0 VF Enable
 * Status:       0 VF Migration Status
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record SriovView(ConfigSpace cs, int offset) implements CapabilityView {

    /** SR-IOV Capabilities register, 32 bits. */
    public static final int CAPABILITIES = 0x04;
    public static final int CAP_VF_MIGRATION = 1;
    public static final int CAP_ARI_PRESERVED = 1 << 1;
    public static final int CAP_VF_10BIT_TAG_REQUESTER = 1 << 2;
    public static final int CAP_MIGRATION_INTERRUPT_SHIFT = 21;
    public static final int CAP_MIGRATION_INTERRUPT_MASK = 0x7FF << CAP_MIGRATION_INTERRUPT_SHIFT;

    /** SR-IOV Control register, 16 bits. */
    public static final int CONTROL = CAPABILITIES + 4;
    public static final int CTRL_VF_ENABLE = 1;
    public static final int CTRL_VF_MIGRATION_ENABLE = 1 << 1;
    public static final int CTRL_VF_MIGRATION_INTERRUPT_ENABLE = 1 << 2;
    public static final int CTRL_VF_MSE = 1 << 3;
    public static final int CTRL_ARI_CAPABLE_HIERARCHY = 1 << 4;
    public static final int CTRL_VF_10BIT_TAG_REQUESTER_ENABLE = 1 << 5;

    /** SR-IOV Status register, 16 bits. */
    public static final int STATUS = CONTROL + 2;
    public static final int STATUS_VF_MIGRATION = 1;

    public static final int INITIAL_VFS = STATUS + 2;
    public static final int TOTAL_VFS = INITIAL_VFS + 2;
    public static final int NUM_VFS = TOTAL_VFS + 2;
    public static final int FUNCTION_DEPENDENCY_LINK = NUM_VFS + 2;
    public static final int FIRST_VF_OFFSET = 0x14;
    public static final int VF_STRIDE = FIRST_VF_OFFSET + 2;
    public static final int VF_DEVICE_ID = 0x1A;
    public static final int SUPPORTED_PAGE_SIZES = VF_DEVICE_ID + 2;
    public static final int SYSTEM_PAGE_SIZE = SUPPORTED_PAGE_SIZES + 4;
    public static final int VF_BAR0 = SYSTEM_PAGE_SIZE + 4;
    public static final int VF_BAR_COUNT = 6;
    public static final int VF_MIGRATION_STATE = VF_BAR0 + 4 * VF_BAR_COUNT;
    public static final int MIGRATION_STATE_BIR_MASK = 0x7;
    public static final int MIGRATION_STATE_OFFSET_MASK = ~MIGRATION_STATE_BIR_MASK;

    /** Size of the structure. */
    public static final int LENGTH = VF_MIGRATION_STATE + 4;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.SRIOV;
    }

    public int capabilities() {
        return read32(CAPABILITIES);
    }

    public boolean vfMigrationCapable() {
        return (capabilities() & CAP_VF_MIGRATION) != 0;
    }

    public boolean ariCapableHierarchyPreserved() {
        return (capabilities() & CAP_ARI_PRESERVED) != 0;
    }

    public boolean vf10BitTagRequesterSupported() {
        return (capabilities() & CAP_VF_10BIT_TAG_REQUESTER) != 0;
    }

    public int vfMigrationInterruptMessageNumber() {
        return (capabilities() & CAP_MIGRATION_INTERRUPT_MASK) >>> CAP_MIGRATION_INTERRUPT_SHIFT;
    }

    public int control() {
        return read16(CONTROL);
    }

    public boolean vfEnable() {
        return (control() & CTRL_VF_ENABLE) != 0;
    }

    public boolean vfMigrationEnable() {
        return (control() & CTRL_VF_MIGRATION_ENABLE) != 0;
    }

    public boolean vfMemorySpaceEnable() {
        return (control() & CTRL_VF_MSE) != 0;
    }

    public boolean ariCapableHierarchy() {
        return (control() & CTRL_ARI_CAPABLE_HIERARCHY) != 0;
    }

    public int status() {
        return read16(STATUS);
    }

    public int initialVfs() {
        return read16(INITIAL_VFS);
    }

    public int totalVfs() {
        return read16(TOTAL_VFS);
    }

    public int numVfs() {
        return read16(NUM_VFS);
    }

    public int functionDependencyLink() {
        return read8(FUNCTION_DEPENDENCY_LINK);
    }

    /** Routing-ID offset of the first VF from the PF. */
    public int firstVfOffset() {
        return read16(FIRST_VF_OFFSET);
    }

    /** Routing-ID distance between consecutive VFs. */
    public int vfStride() {
        return read16(VF_STRIDE);
    }

    public int vfDeviceId() {
        return read16(VF_DEVICE_ID);
    }

    /** Supported page sizes: bit n set means 2^(n+12) bytes is supported. */
    public int supportedPageSizes() {
        return read32(SUPPORTED_PAGE_SIZES);
    }

    public int systemPageSize() {
        return read32(SYSTEM_PAGE_SIZE);
    }

    /** The raw VF BAR {@code index} (0-5); 0 for other indexes. */
    public int vfBar(int index) {
        return index >= 0 && index < VF_BAR_COUNT ? read32(VF_BAR0 + 4 * index) : 0;
    }

    public int vfMigrationStateArray() {
        return read32(VF_MIGRATION_STATE);
    }

    /** Routing ID offset of VF {@code n} (1-based) from the PF: First VF Offset + (n - 1) x VF Stride. */
    public int vfRoutingIdOffset(int n) {
        return firstVfOffset() + (n - 1) * vfStride();
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("SR-IOV Capabilities", CAPABILITIES, 4)
                .flag("VF Migration Capable", CAP_VF_MIGRATION)
                .flag("ARI Capable Hierarchy Preserved", CAP_ARI_PRESERVED)
                .flag("VF 10-Bit Tag Requester Supported", CAP_VF_10BIT_TAG_REQUESTER)
                .number("VF Migration Interrupt Message Number", CAP_MIGRATION_INTERRUPT_MASK & 0xFFFF_FFFFL);
        f.register("SR-IOV Control", CONTROL, 2)
                .flag("VF Enable", CTRL_VF_ENABLE)
                .flag("VF Migration Enable", CTRL_VF_MIGRATION_ENABLE)
                .flag("VF Migration Interrupt Enable", CTRL_VF_MIGRATION_INTERRUPT_ENABLE)
                .flag("VF MSE", CTRL_VF_MSE)
                .flag("ARI Capable Hierarchy", CTRL_ARI_CAPABLE_HIERARCHY)
                .flag("VF 10-Bit Tag Requester Enable", CTRL_VF_10BIT_TAG_REQUESTER_ENABLE);
        f.register("SR-IOV Status", STATUS, 2).flag("VF Migration Status", STATUS_VF_MIGRATION);
        f.register("InitialVFs", INITIAL_VFS, 2).number("InitialVFs", 0xFFFF);
        f.register("TotalVFs", TOTAL_VFS, 2).number("TotalVFs", 0xFFFF);
        f.register("NumVFs", NUM_VFS, 2).number("NumVFs", 0xFFFF);
        f.register("Function Dependency Link", FUNCTION_DEPENDENCY_LINK, 1).number("Function Dependency Link", 0xFF);
        f.register("First VF Offset", FIRST_VF_OFFSET, 2).number("First VF Offset", 0xFFFF);
        f.register("VF Stride", VF_STRIDE, 2).number("VF Stride", 0xFFFF);
        f.register("VF Device ID", VF_DEVICE_ID, 2).add("VF Device ID", 0xFFFF, v -> Hex.padded(v, 4));
        f.register("Supported Page Sizes", SUPPORTED_PAGE_SIZES, 4).add("Supported Page Sizes", 0xFFFF_FFFFL,
                FieldList::pageSizes);
        f.register("System Page Size", SYSTEM_PAGE_SIZE, 4).add("System Page Size", 0xFFFF_FFFFL,
                FieldList::pageSizes);
        f.bars("VF BAR", VF_BAR0, VF_BAR_COUNT);
        f.register("VF Migration State Array Offset", VF_MIGRATION_STATE, 4)
                .number("VF Migration State BIR", MIGRATION_STATE_BIR_MASK)
                .add("VF Migration State Offset", MIGRATION_STATE_OFFSET_MASK & 0xFFFF_FFFFL,
                        v -> String.format("0x%x", v << 3));
        return f.list();
    }
}
