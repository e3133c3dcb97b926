package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Hex;
import java.util.List;

/**
 * Downstream Port Containment (DPC) extended capability, ID 0x1D (PCIe base spec 7.9.14). 0x0C
 * bytes; with RP Extensions for DPC (root ports) the RP PIO registers follow, to 0x20 + 4 x RP PIO
 * Log Size (at least 0x30).
 *
 * <pre>
 *  31                            16 15                             0
 * +--------------------------------+--------------------------------+
 * |        Extended Capability Header (ID 0x001D)                   | +0x00
 * |        DPC Control             |        DPC Capability          | +0x04
 * |        DPC Error Source ID     |        DPC Status              | +0x08
 * |        RP PIO Status / Mask / Severity / SysError / Exception   | +0x0C .. +0x1C (RP Extensions)
 * |        RP PIO Header Log (4 dwords)                             | +0x20
 * |        RP PIO ImpSpec Log              (log size >= 5)          | +0x30
 * |        RP PIO TLP Prefix Log (log size - 5 dwords)              | +0x34
 * +-----------------------------------------------------------------+
 *
 * Capability: 12 DL_Active ERR_COR Signaling Supported, 11:8 RP PIO Log Size,
 *   7 DPC Software Triggering Supported, 6 Poisoned TLP Egress Blocking Supported,
 *   5 RP Extensions for DPC, 4:0 DPC Interrupt Message Number
 * Control: 8 DPC SIG_SFW Enable, 7 DL_Active ERR_COR Enable, 6 DPC Software Trigger,
 *   5 Poisoned TLP Egress Blocking Enable, 4 DPC ERR_COR Enable, 3 DPC Interrupt Enable,
 *   2 DPC Completion Control, 1:0 DPC Trigger Enable
 * Status: 13 DPC SIG_SFW Status, 12:8 RP PIO First Error Pointer, 6:5 DPC Trigger Reason Extension,
 *   4 DPC RP Busy, 3 DPC Interrupt Status, 2:1 DPC Trigger Reason, 0 DPC Trigger Status
 * RP PIO bits: 0 Cfg UR Cpl, 1 Cfg CA Cpl, 2 Cfg CTO, 8 I/O UR Cpl, 9 I/O CA Cpl, 10 I/O CTO,
 *   16 Mem UR Cpl, 17 Mem CA Cpl, 18 Mem CTO
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record DpcView(ConfigSpace cs, int offset) implements CapabilityView {

    /** DPC Capability register, 16 bits. */
    public static final int CAPABILITY = 0x04;
    public static final int CAP_INTERRUPT_MASK = 0x1F;
    public static final int CAP_RP_EXTENSIONS = 1 << 5;
    public static final int CAP_POISONED_TLP_EGRESS_BLOCKING = 1 << 6;
    public static final int CAP_SOFTWARE_TRIGGERING = 1 << 7;
    public static final int CAP_RP_PIO_LOG_SIZE_SHIFT = 8;
    public static final int CAP_RP_PIO_LOG_SIZE_MASK = 0xF << CAP_RP_PIO_LOG_SIZE_SHIFT;
    public static final int CAP_DL_ACTIVE_ERR_COR = 1 << 12;

    /** DPC Control register, 16 bits. */
    public static final int CONTROL = CAPABILITY + 2;
    public static final int CTL_TRIGGER_ENABLE_MASK = 0x3;
    public static final int CTL_COMPLETION_CONTROL = 1 << 2;
    public static final int CTL_INTERRUPT_ENABLE = 1 << 3;
    public static final int CTL_ERR_COR_ENABLE = 1 << 4;
    public static final int CTL_POISONED_TLP_EGRESS_BLOCKING = 1 << 5;
    public static final int CTL_SOFTWARE_TRIGGER = 1 << 6;
    public static final int CTL_DL_ACTIVE_ERR_COR = 1 << 7;
    public static final int CTL_SIG_SFW_ENABLE = 1 << 8;

    /** DPC Status register, 16 bits. */
    public static final int STATUS = CONTROL + 2;
    public static final int STA_TRIGGER = 1;
    public static final int STA_TRIGGER_REASON_SHIFT = 1;
    public static final int STA_TRIGGER_REASON_MASK = 0x3 << STA_TRIGGER_REASON_SHIFT;
    public static final int STA_INTERRUPT = 1 << 3;
    public static final int STA_RP_BUSY = 1 << 4;
    public static final int STA_TRIGGER_REASON_EXT_SHIFT = 5;
    public static final int STA_TRIGGER_REASON_EXT_MASK = 0x3 << STA_TRIGGER_REASON_EXT_SHIFT;
    public static final int STA_RP_PIO_FIRST_ERROR_SHIFT = 8;
    public static final int STA_RP_PIO_FIRST_ERROR_MASK = 0x1F << STA_RP_PIO_FIRST_ERROR_SHIFT;
    public static final int STA_SIG_SFW = 1 << 13;

    /** DPC Error Source ID, 16 bits. */
    public static final int ERROR_SOURCE_ID = STATUS + 2;

    /** RP PIO registers (RP Extensions only), 32 bits each, one bit layout. */
    public static final int RP_PIO_STATUS = 0x0C;
    public static final int RP_PIO_MASK = 0x10;
    public static final int RP_PIO_SEVERITY = 0x14;
    public static final int RP_PIO_SYSERROR = 0x18;
    public static final int RP_PIO_EXCEPTION = 0x1C;
    public static final int RP_PIO_HEADER_LOG = 0x20;
    public static final int RP_PIO_IMPSPEC_LOG = 0x30;
    public static final int RP_PIO_TLP_PREFIX_LOG = 0x34;
    public static final int PIO_CFG_UR = 1;
    public static final int PIO_CFG_CA = 1 << 1;
    public static final int PIO_CFG_CTO = 1 << 2;
    public static final int PIO_IO_UR = 1 << 8;
    public static final int PIO_IO_CA = 1 << 9;
    public static final int PIO_IO_CTO = 1 << 10;
    public static final int PIO_MEM_UR = 1 << 16;
    public static final int PIO_MEM_CA = 1 << 17;
    public static final int PIO_MEM_CTO = 1 << 18;

    /** Size without RP Extensions. */
    public static final int BASE_LENGTH = ERROR_SOURCE_ID + 2;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.DPC;
    }

    public int capability() {
        return read16(CAPABILITY);
    }

    public int interruptMessageNumber() {
        return capability() & CAP_INTERRUPT_MASK;
    }

    public boolean rpExtensions() {
        return (capability() & CAP_RP_EXTENSIONS) != 0;
    }

    public boolean poisonedTlpEgressBlockingSupported() {
        return (capability() & CAP_POISONED_TLP_EGRESS_BLOCKING) != 0;
    }

    public boolean softwareTriggeringSupported() {
        return (capability() & CAP_SOFTWARE_TRIGGERING) != 0;
    }

    /** RP PIO Log Size: dwords of header, ImpSpec and TLP prefix log. */
    public int rpPioLogSize() {
        return (capability() & CAP_RP_PIO_LOG_SIZE_MASK) >>> CAP_RP_PIO_LOG_SIZE_SHIFT;
    }

    public boolean dlActiveErrCorSupported() {
        return (capability() & CAP_DL_ACTIVE_ERR_COR) != 0;
    }

    public int control() {
        return read16(CONTROL);
    }

    /** DPC Trigger Enable: 0 disabled, 1 on ERR_FATAL, 2 on ERR_NONFATAL or ERR_FATAL. */
    public int triggerEnable() {
        return control() & CTL_TRIGGER_ENABLE_MASK;
    }

    public int status() {
        return read16(STATUS);
    }

    public boolean triggered() {
        return (status() & STA_TRIGGER) != 0;
    }

    public int triggerReason() {
        return (status() & STA_TRIGGER_REASON_MASK) >>> STA_TRIGGER_REASON_SHIFT;
    }

    public int errorSourceId() {
        return read16(ERROR_SOURCE_ID);
    }

    /** Dwords of TLP Prefix Log (log size beyond header log and ImpSpec log). */
    public int tlpPrefixLogDwords() {
        return Math.max(0, rpPioLogSize() - 5);
    }

    private static void pio(FieldList.Register r) {
        r.flag("Cfg UR Cpl", PIO_CFG_UR).flag("Cfg CA Cpl", PIO_CFG_CA).flag("Cfg CTO", PIO_CFG_CTO)
                .flag("I/O UR Cpl", PIO_IO_UR).flag("I/O CA Cpl", PIO_IO_CA).flag("I/O CTO", PIO_IO_CTO)
                .flag("Mem UR Cpl", PIO_MEM_UR).flag("Mem CA Cpl", PIO_MEM_CA).flag("Mem CTO", PIO_MEM_CTO);
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("DPC Capability", CAPABILITY, 2)
                .number("DPC Interrupt Message Number", CAP_INTERRUPT_MASK)
                .flag("RP Extensions for DPC", CAP_RP_EXTENSIONS)
                .flag("Poisoned TLP Egress Blocking Supported", CAP_POISONED_TLP_EGRESS_BLOCKING)
                .flag("DPC Software Triggering Supported", CAP_SOFTWARE_TRIGGERING)
                .number("RP PIO Log Size", CAP_RP_PIO_LOG_SIZE_MASK)
                .flag("DL_Active ERR_COR Signaling Supported", CAP_DL_ACTIVE_ERR_COR);
        f.register("DPC Control", CONTROL, 2)
                .add("DPC Trigger Enable", CTL_TRIGGER_ENABLE_MASK, v -> switch ((int) v) {
                    case 0 -> "disabled";
                    case 1 -> "ERR_FATAL";
                    case 2 -> "ERR_NONFATAL or ERR_FATAL";
                    default -> "reserved";
                })
                .flag("DPC Completion Control", CTL_COMPLETION_CONTROL)
                .flag("DPC Interrupt Enable", CTL_INTERRUPT_ENABLE)
                .flag("DPC ERR_COR Enable", CTL_ERR_COR_ENABLE)
                .flag("Poisoned TLP Egress Blocking Enable", CTL_POISONED_TLP_EGRESS_BLOCKING)
                .flag("DPC Software Trigger", CTL_SOFTWARE_TRIGGER)
                .flag("DL_Active ERR_COR Enable", CTL_DL_ACTIVE_ERR_COR)
                .flag("DPC SIG_SFW Enable", CTL_SIG_SFW_ENABLE);
        f.register("DPC Status", STATUS, 2)
                .flag("DPC Trigger Status", STA_TRIGGER)
                .number("DPC Trigger Reason", STA_TRIGGER_REASON_MASK)
                .flag("DPC Interrupt Status", STA_INTERRUPT)
                .flag("DPC RP Busy", STA_RP_BUSY)
                .number("DPC Trigger Reason Extension", STA_TRIGGER_REASON_EXT_MASK)
                .number("RP PIO First Error Pointer", STA_RP_PIO_FIRST_ERROR_MASK)
                .flag("DPC SIG_SFW Status", STA_SIG_SFW);
        f.register("DPC Error Source ID", ERROR_SOURCE_ID, 2).add("DPC Error Source ID", 0xFFFF, v -> Hex.padded(v, 4));
        if (rpExtensions()) {
            pio(f.register("RP PIO Status", RP_PIO_STATUS, 4));
            pio(f.register("RP PIO Mask", RP_PIO_MASK, 4));
            pio(f.register("RP PIO Severity", RP_PIO_SEVERITY, 4));
            pio(f.register("RP PIO SysError", RP_PIO_SYSERROR, 4));
            pio(f.register("RP PIO Exception", RP_PIO_EXCEPTION, 4));
            for (int i = 0; i < 4; i++) {
                f.register("RP PIO Header Log " + i, RP_PIO_HEADER_LOG + 4 * i, 4).whole("RP PIO Header Log DW" + i);
            }
            if (rpPioLogSize() >= 5) {
                f.register("RP PIO ImpSpec Log", RP_PIO_IMPSPEC_LOG, 4).whole("RP PIO ImpSpec Log");
            }
            for (int i = 0; i < tlpPrefixLogDwords(); i++) {
                f.register("RP PIO TLP Prefix Log " + i, RP_PIO_TLP_PREFIX_LOG + 4 * i, 4)
                        .whole("RP PIO TLP Prefix Log DW" + i);
            }
        }
        return f.list();
    }
}
