package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * L1 PM Substates extended capability, ID 0x1E, 16 bytes (PCIe base spec 7.8.3).
 *
 * <pre>
 *  31                                                              0
 * +-----------------------------------------------------------------+
 * |        Extended Capability Header (ID 0x001E)                   | +0x00
 * |        L1 PM Substates Capabilities                             | +0x04
 * |        L1 PM Substates Control 1                                | +0x08
 * |        L1 PM Substates Control 2                                | +0x0C
 * +-----------------------------------------------------------------+
 *
 * Capabilities: 23:19 Port T_POWER_ON Value, 17:16 Port T_POWER_ON Scale (2us, 10us, 100us),
 *   15:8 Port Common_Mode_Restore_Time (us), 5 Link Activation Mechanism Supported,
 *   4 L1 PM Substates Supported, 3 ASPM L1.1, 2 ASPM L1.2, 1 PCI-PM L1.1, 0 PCI-PM L1.2 Supported
 * Control 1: 31:29 LTR_L1.2_THRESHOLD_Scale, 25:16 LTR_L1.2_THRESHOLD_Value,
 *   15:8 Common_Mode_Restore_Time, 5 Link Activation Control, 4 Link Activation Interrupt Enable,
 *   3 ASPM L1.1, 2 ASPM L1.2, 1 PCI-PM L1.1, 0 PCI-PM L1.2 Enable
 * Control 2: 7:3 T_POWER_ON Value, 1:0 T_POWER_ON Scale
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record L1SubstatesView(ConfigSpace cs, int offset) implements CapabilityView {

    /** L1 PM Substates Capabilities, 32 bits. */
    public static final int CAPABILITIES = 0x04;
    public static final int PCI_PM_L1_2 = 1;
    public static final int PCI_PM_L1_1 = 1 << 1;
    public static final int ASPM_L1_2 = 1 << 2;
    public static final int ASPM_L1_1 = 1 << 3;
    public static final int CAP_L1_PM_SUBSTATES = 1 << 4;
    public static final int CAP_LINK_ACTIVATION = 1 << 5;
    public static final int CAP_COMMON_MODE_RESTORE_SHIFT = 8;
    public static final int CAP_COMMON_MODE_RESTORE_MASK = 0xFF << CAP_COMMON_MODE_RESTORE_SHIFT;
    public static final int CAP_T_POWER_ON_SCALE_SHIFT = 16;
    public static final int CAP_T_POWER_ON_SCALE_MASK = 0x3 << CAP_T_POWER_ON_SCALE_SHIFT;
    public static final int CAP_T_POWER_ON_VALUE_SHIFT = 19;
    public static final int CAP_T_POWER_ON_VALUE_MASK = 0x1F << CAP_T_POWER_ON_VALUE_SHIFT;

    /** L1 PM Substates Control 1, 32 bits; bits 0-3 enable the substates of the same bits. */
    public static final int CONTROL1 = CAPABILITIES + 4;
    public static final int CTL1_LINK_ACTIVATION_INTERRUPT = 1 << 4;
    public static final int CTL1_LINK_ACTIVATION_CONTROL = 1 << 5;
    public static final int CTL1_COMMON_MODE_RESTORE_SHIFT = 8;
    public static final int CTL1_COMMON_MODE_RESTORE_MASK = 0xFF << CTL1_COMMON_MODE_RESTORE_SHIFT;
    public static final int CTL1_LTR_THRESHOLD_VALUE_SHIFT = 16;
    public static final int CTL1_LTR_THRESHOLD_VALUE_MASK = 0x3FF << CTL1_LTR_THRESHOLD_VALUE_SHIFT;
    public static final int CTL1_LTR_THRESHOLD_SCALE_SHIFT = 29;
    public static final int CTL1_LTR_THRESHOLD_SCALE_MASK = 0x7 << CTL1_LTR_THRESHOLD_SCALE_SHIFT;

    /** L1 PM Substates Control 2, 32 bits. */
    public static final int CONTROL2 = CONTROL1 + 4;
    public static final int CTL2_T_POWER_ON_SCALE_MASK = 0x3;
    public static final int CTL2_T_POWER_ON_VALUE_SHIFT = 3;
    public static final int CTL2_T_POWER_ON_VALUE_MASK = 0x1F << CTL2_T_POWER_ON_VALUE_SHIFT;

    /** Size of the structure. */
    public static final int LENGTH = CONTROL2 + 4;

    /** Microseconds per unit of a T_POWER_ON Scale: 2, 10, 100; scale 3 is reserved. */
    private static final int[] T_POWER_ON_UNIT_US = {2, 10, 100, -1};

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.L1PM;
    }

    public int capabilities() {
        return read32(CAPABILITIES);
    }

    public boolean pciPmL12Supported() {
        return (capabilities() & PCI_PM_L1_2) != 0;
    }

    public boolean pciPmL11Supported() {
        return (capabilities() & PCI_PM_L1_1) != 0;
    }

    public boolean aspmL12Supported() {
        return (capabilities() & ASPM_L1_2) != 0;
    }

    public boolean aspmL11Supported() {
        return (capabilities() & ASPM_L1_1) != 0;
    }

    public boolean l1PmSubstatesSupported() {
        return (capabilities() & CAP_L1_PM_SUBSTATES) != 0;
    }

    /** Port Common_Mode_Restore_Time in microseconds. */
    public int portCommonModeRestoreTimeUs() {
        return (capabilities() & CAP_COMMON_MODE_RESTORE_MASK) >>> CAP_COMMON_MODE_RESTORE_SHIFT;
    }

    /** Port T_POWER_ON in microseconds; -1 for the reserved scale. */
    public int portTPowerOnUs() {
        int cap = capabilities();
        return tPowerOn((cap & CAP_T_POWER_ON_VALUE_MASK) >>> CAP_T_POWER_ON_VALUE_SHIFT,
                (cap & CAP_T_POWER_ON_SCALE_MASK) >>> CAP_T_POWER_ON_SCALE_SHIFT);
    }

    public int control1() {
        return read32(CONTROL1);
    }

    /** The four substate enables, bits 0-3 as in the capabilities register. */
    public int enabledSubstates() {
        return control1() & 0xF;
    }

    /** Common_Mode_Restore_Time in microseconds. */
    public int commonModeRestoreTimeUs() {
        return (control1() & CTL1_COMMON_MODE_RESTORE_MASK) >>> CTL1_COMMON_MODE_RESTORE_SHIFT;
    }

    /** LTR_L1.2_THRESHOLD in ns (value x 32^scale); -1 for a reserved scale. */
    public long ltrL12ThresholdNs() {
        int c = control1();
        return Text.latencyNs((c & CTL1_LTR_THRESHOLD_VALUE_MASK) >>> CTL1_LTR_THRESHOLD_VALUE_SHIFT,
                (c & CTL1_LTR_THRESHOLD_SCALE_MASK) >>> CTL1_LTR_THRESHOLD_SCALE_SHIFT);
    }

    public int control2() {
        return read32(CONTROL2);
    }

    /** T_POWER_ON in microseconds; -1 for the reserved scale. */
    public int tPowerOnUs() {
        int c = control2();
        return tPowerOn((c & CTL2_T_POWER_ON_VALUE_MASK) >>> CTL2_T_POWER_ON_VALUE_SHIFT, c & CTL2_T_POWER_ON_SCALE_MASK);
    }

    private static int tPowerOn(int value, int scale) {
        int unit = T_POWER_ON_UNIT_US[scale];
        return unit < 0 ? -1 : value * unit;
    }

    private static String scale(long scale) {
        int unit = T_POWER_ON_UNIT_US[(int) scale];
        return unit < 0 ? "reserved" : unit + "us";
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("L1 PM Substates Capabilities", CAPABILITIES, 4)
                .flag("PCI-PM L1.2 Supported", PCI_PM_L1_2)
                .flag("PCI-PM L1.1 Supported", PCI_PM_L1_1)
                .flag("ASPM L1.2 Supported", ASPM_L1_2)
                .flag("ASPM L1.1 Supported", ASPM_L1_1)
                .flag("L1 PM Substates Supported", CAP_L1_PM_SUBSTATES)
                .flag("Link Activation Mechanism Supported", CAP_LINK_ACTIVATION)
                .add("Port Common_Mode_Restore_Time", CAP_COMMON_MODE_RESTORE_MASK, v -> v + "us")
                .add("Port T_POWER_ON Scale", CAP_T_POWER_ON_SCALE_MASK, L1SubstatesView::scale)
                .add("Port T_POWER_ON Value", CAP_T_POWER_ON_VALUE_MASK, v -> portTPowerOnUs() < 0 ? v + " (reserved scale)"
                        : v + " (" + portTPowerOnUs() + "us)");
        f.register("L1 PM Substates Control 1", CONTROL1, 4)
                .flag("PCI-PM L1.2 Enable", PCI_PM_L1_2)
                .flag("PCI-PM L1.1 Enable", PCI_PM_L1_1)
                .flag("ASPM L1.2 Enable", ASPM_L1_2)
                .flag("ASPM L1.1 Enable", ASPM_L1_1)
                .flag("Link Activation Interrupt Enable", CTL1_LINK_ACTIVATION_INTERRUPT)
                .flag("Link Activation Control", CTL1_LINK_ACTIVATION_CONTROL)
                .add("Common_Mode_Restore_Time", CTL1_COMMON_MODE_RESTORE_MASK, v -> v + "us")
                .number("LTR_L1.2_THRESHOLD_Value", CTL1_LTR_THRESHOLD_VALUE_MASK)
                .add("LTR_L1.2_THRESHOLD_Scale", CTL1_LTR_THRESHOLD_SCALE_MASK, v -> v + " (threshold "
                        + (ltrL12ThresholdNs() < 0 ? "reserved scale" : ltrL12ThresholdNs() + "ns") + ")");
        f.register("L1 PM Substates Control 2", CONTROL2, 4)
                .add("T_POWER_ON Scale", CTL2_T_POWER_ON_SCALE_MASK, L1SubstatesView::scale)
                .add("T_POWER_ON Value", CTL2_T_POWER_ON_VALUE_MASK, v -> tPowerOnUs() < 0 ? v + " (reserved scale)"
                        : v + " (" + tPowerOnUs() + "us)");
        return f.list();
    }
}
