package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * PCI Power Management capability, ID 0x01, 8 bytes (PCI Bus Power Management Interface spec 1.2;
 * PCIe base spec 7.5.2).
 *
 * <pre>
 *  31                            16 15              8 7            0
 * +--------------------------------+-----------------+--------------+
 * |   Power Management Capabilities (PMC)  | Next Ptr | ID 0x01     | +0x00
 * +--------+-----------------------+-----------------+--------------+
 * |  Data  | PMCSR_BSE (bridges)   |  Power Management Control/Status | +0x04
 * +--------+-----------------------+--------------------------------+
 *
 * PMC (RO):   15:11 PME Support (D0, D1, D2, D3hot, D3cold), 10 D2 Support, 9 D1 Support,
 *             8:6 Aux Current, 5 DSI, 4 Immediate Readiness on Return to D0, 3 PME Clock, 2:0 Version
 * PMCSR:      15 PME Status (RW1C), 14:13 Data Scale, 12:9 Data Select, 8 PME Enable,
 *             3 No Soft Reset, 1:0 Power State (D0..D3hot)
 * PMCSR_BSE:  7 Bus Power/Clock Control Enable, 6 B2/B3 Support (obsolete for PCIe)
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability is
 */
public record PmView(ConfigSpace cs, int offset) implements CapabilityView {

    /** Power Management Capabilities (PMC), 16 bits. */
    public static final int PMC = 0x02;
    public static final int PMC_VERSION_MASK = 0x7;
    public static final int PMC_PME_CLOCK = 1 << 3;
    public static final int PMC_IMMEDIATE_READINESS = 1 << 4;
    public static final int PMC_DSI = 1 << 5;
    public static final int PMC_AUX_CURRENT_SHIFT = 6;
    public static final int PMC_AUX_CURRENT_MASK = 0x7 << PMC_AUX_CURRENT_SHIFT;
    public static final int PMC_D1_SUPPORT = 1 << 9;
    public static final int PMC_D2_SUPPORT = 1 << 10;
    public static final int PMC_PME_SUPPORT_SHIFT = 11;
    public static final int PMC_PME_SUPPORT_MASK = 0x1F << PMC_PME_SUPPORT_SHIFT;
    public static final int PMC_PME_D0 = 1 << PMC_PME_SUPPORT_SHIFT;
    public static final int PMC_PME_D1 = PMC_PME_D0 << 1;
    public static final int PMC_PME_D2 = PMC_PME_D0 << 2;
    public static final int PMC_PME_D3HOT = PMC_PME_D0 << 3;
    public static final int PMC_PME_D3COLD = PMC_PME_D0 << 4;

    /** Power Management Control/Status (PMCSR), 16 bits. */
    public static final int PMCSR = PMC + 2;
    public static final int PMCSR_POWER_STATE_MASK = 0x3;
    public static final int PMCSR_NO_SOFT_RESET = 1 << 3;
    public static final int PMCSR_PME_ENABLE = 1 << 8;
    public static final int PMCSR_DATA_SELECT_SHIFT = 9;
    public static final int PMCSR_DATA_SELECT_MASK = 0xF << PMCSR_DATA_SELECT_SHIFT;
    public static final int PMCSR_DATA_SCALE_SHIFT = 13;
    public static final int PMCSR_DATA_SCALE_MASK = 0x3 << PMCSR_DATA_SCALE_SHIFT;
    public static final int PMCSR_PME_STATUS = 1 << 15;

    /** PMCSR PCI-to-PCI Bridge Support Extensions, 8 bits. */
    public static final int PMCSR_BSE = PMCSR + 2;
    public static final int BSE_B2_B3 = 1 << 6;
    public static final int BSE_BPCC_ENABLE = 1 << 7;

    /** Data register, 8 bits. */
    public static final int DATA = PMCSR_BSE + 1;

    /** Size of the structure. */
    public static final int LENGTH = DATA + 1;

    private static final int[] AUX_CURRENT_MA = {0, 55, 100, 160, 220, 270, 320, 375};

    @Override
    public CapabilityKind kind() {
        return StandardCapability.PM;
    }

    public int pmc() {
        return read16(PMC);
    }

    /** Version of the PM spec the function complies with: 1 (1.0), 2 (1.1), 3 (1.2). */
    public int version() {
        return pmc() & PMC_VERSION_MASK;
    }

    public boolean pmeClock() {
        return (pmc() & PMC_PME_CLOCK) != 0;
    }

    public boolean deviceSpecificInitialization() {
        return (pmc() & PMC_DSI) != 0;
    }

    /** Aux current the function draws from Vaux, in mA (from the 3-bit field). */
    public int auxCurrentMilliamps() {
        return AUX_CURRENT_MA[(pmc() & PMC_AUX_CURRENT_MASK) >>> PMC_AUX_CURRENT_SHIFT];
    }

    public boolean d1Supported() {
        return (pmc() & PMC_D1_SUPPORT) != 0;
    }

    public boolean d2Supported() {
        return (pmc() & PMC_D2_SUPPORT) != 0;
    }

    /** PME Support bits: bit 0 D0, 1 D1, 2 D2, 3 D3hot, 4 D3cold. */
    public int pmeSupport() {
        return (pmc() & PMC_PME_SUPPORT_MASK) >>> PMC_PME_SUPPORT_SHIFT;
    }

    public int pmcsr() {
        return read16(PMCSR);
    }

    /** Current power state: 0 D0, 1 D1, 2 D2, 3 D3hot. */
    public int powerState() {
        return pmcsr() & PMCSR_POWER_STATE_MASK;
    }

    public boolean noSoftReset() {
        return (pmcsr() & PMCSR_NO_SOFT_RESET) != 0;
    }

    public boolean pmeEnabled() {
        return (pmcsr() & PMCSR_PME_ENABLE) != 0;
    }

    public boolean pmeStatus() {
        return (pmcsr() & PMCSR_PME_STATUS) != 0;
    }

    public int dataSelect() {
        return (pmcsr() & PMCSR_DATA_SELECT_MASK) >>> PMCSR_DATA_SELECT_SHIFT;
    }

    public int dataScale() {
        return (pmcsr() & PMCSR_DATA_SCALE_MASK) >>> PMCSR_DATA_SCALE_SHIFT;
    }

    public int bridgeSupportExtensions() {
        return read8(PMCSR_BSE);
    }

    public int data() {
        return read8(DATA);
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).standardHeader();
        f.register("Power Management Capabilities", PMC, 2)
                .number("Version", PMC_VERSION_MASK)
                .flag("PME Clock", PMC_PME_CLOCK)
                .flag("Immediate Readiness on Return to D0", PMC_IMMEDIATE_READINESS)
                .flag("Device Specific Initialization", PMC_DSI)
                .add("Aux Current", PMC_AUX_CURRENT_MASK, v -> AUX_CURRENT_MA[(int) v] + "mA")
                .flag("D1 Support", PMC_D1_SUPPORT)
                .flag("D2 Support", PMC_D2_SUPPORT)
                .flag("PME Support D0", PMC_PME_D0)
                .flag("PME Support D1", PMC_PME_D1)
                .flag("PME Support D2", PMC_PME_D2)
                .flag("PME Support D3hot", PMC_PME_D3HOT)
                .flag("PME Support D3cold", PMC_PME_D3COLD);
        f.register("Power Management Control/Status", PMCSR, 2)
                .add("Power State", PMCSR_POWER_STATE_MASK, v -> v == 3 ? "D3hot" : "D" + v)
                .flag("No Soft Reset", PMCSR_NO_SOFT_RESET)
                .flag("PME Enable", PMCSR_PME_ENABLE)
                .number("Data Select", PMCSR_DATA_SELECT_MASK)
                .number("Data Scale", PMCSR_DATA_SCALE_MASK)
                .flag("PME Status", PMCSR_PME_STATUS);
        f.register("PMCSR Bridge Support Extensions", PMCSR_BSE, 1)
                .flag("B2/B3 Support", BSE_B2_B3)
                .flag("Bus Power/Clock Control Enable", BSE_BPCC_ENABLE);
        f.register("Data", DATA, 1).number("Data", 0xFF);
        return f.list();
    }
}
