package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * Access Control Services extended capability, ID 0x0D (PCIe base spec 7.7.11). 8 bytes, plus the
 * Egress Control Vector when P2P Egress Control is supported.
 *
 * <pre>
 *  31                            16 15              8 7            0
 * +--------------------------------+-----------------+--------------+
 * |        Extended Capability Header (ID 0x000D)                   | +0x00
 * +--------------------------------+-----------------+--------------+
 * |        ACS Control             | Egress Vec Size | ACS Cap bits | +0x04
 * +--------------------------------+-----------------+--------------+
 * |        Egress Control Vector (ceil(size / 32) dwords; size 0 = 256 bits) | +0x08
 * +-----------------------------------------------------------------+
 *
 * Capability bits 0-7: Source Validation, Translation Blocking, P2P Request Redirect,
 *   P2P Completion Redirect, Upstream Forwarding, P2P Egress Control, Direct Translated P2P,
 *   Enhanced Capability; the Control register has the matching enables in bits 0-6, then
 *   7 I/O Request Blocking, 9:8 DSP Memory Target Access, 11:10 USP Memory Target Access,
 *   12 Unclaimed Request Redirect
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record AcsView(ConfigSpace cs, int offset) implements CapabilityView {

    /** ACS Capability register, 16 bits. */
    public static final int CAPABILITY = 0x04;
    public static final int SOURCE_VALIDATION = 1;
    public static final int TRANSLATION_BLOCKING = 1 << 1;
    public static final int P2P_REQUEST_REDIRECT = 1 << 2;
    public static final int P2P_COMPLETION_REDIRECT = 1 << 3;
    public static final int UPSTREAM_FORWARDING = 1 << 4;
    public static final int P2P_EGRESS_CONTROL = 1 << 5;
    public static final int DIRECT_TRANSLATED_P2P = 1 << 6;
    public static final int ENHANCED_CAPABILITY = 1 << 7;
    public static final int EGRESS_VECTOR_SIZE_SHIFT = 8;
    public static final int EGRESS_VECTOR_SIZE_MASK = 0xFF << EGRESS_VECTOR_SIZE_SHIFT;

    /** ACS Control register, 16 bits: bits 0-6 enable the capabilities of the same bit. */
    public static final int CONTROL = CAPABILITY + 2;
    public static final int IO_REQUEST_BLOCKING = 1 << 7;
    public static final int DSP_MEMORY_TARGET_ACCESS_SHIFT = 8;
    public static final int DSP_MEMORY_TARGET_ACCESS_MASK = 0x3 << DSP_MEMORY_TARGET_ACCESS_SHIFT;
    public static final int USP_MEMORY_TARGET_ACCESS_SHIFT = 10;
    public static final int USP_MEMORY_TARGET_ACCESS_MASK = 0x3 << USP_MEMORY_TARGET_ACCESS_SHIFT;
    public static final int UNCLAIMED_REQUEST_REDIRECT = 1 << 12;

    /** Egress Control Vector, present with P2P Egress Control. */
    public static final int EGRESS_CONTROL_VECTOR = CONTROL + 2;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.ACS;
    }

    public int capability() {
        return read16(CAPABILITY);
    }

    public int control() {
        return read16(CONTROL);
    }

    public boolean sourceValidation() {
        return (capability() & SOURCE_VALIDATION) != 0;
    }

    public boolean translationBlocking() {
        return (capability() & TRANSLATION_BLOCKING) != 0;
    }

    public boolean p2pRequestRedirect() {
        return (capability() & P2P_REQUEST_REDIRECT) != 0;
    }

    public boolean p2pCompletionRedirect() {
        return (capability() & P2P_COMPLETION_REDIRECT) != 0;
    }

    public boolean upstreamForwarding() {
        return (capability() & UPSTREAM_FORWARDING) != 0;
    }

    public boolean p2pEgressControl() {
        return (capability() & P2P_EGRESS_CONTROL) != 0;
    }

    public boolean directTranslatedP2p() {
        return (capability() & DIRECT_TRANSLATED_P2P) != 0;
    }

    /** Bits in the Egress Control Vector (the field, 0 read as 256); 0 without P2P Egress Control. */
    public int egressControlVectorBits() {
        if (!p2pEgressControl()) {
            return 0;
        }
        int size = (capability() & EGRESS_VECTOR_SIZE_MASK) >>> EGRESS_VECTOR_SIZE_SHIFT;
        return size == 0 ? 256 : size;
    }

    /** Dwords of the Egress Control Vector. */
    public int egressControlVectorDwords() {
        return (egressControlVectorBits() + 31) / 32;
    }

    private static FieldList.Register bits(FieldList.Register r, String suffix) {
        return r.flag("Source Validation" + suffix, SOURCE_VALIDATION)
                .flag("Translation Blocking" + suffix, TRANSLATION_BLOCKING)
                .flag("P2P Request Redirect" + suffix, P2P_REQUEST_REDIRECT)
                .flag("P2P Completion Redirect" + suffix, P2P_COMPLETION_REDIRECT)
                .flag("Upstream Forwarding" + suffix, UPSTREAM_FORWARDING)
                .flag("P2P Egress Control" + suffix, P2P_EGRESS_CONTROL)
                .flag("Direct Translated P2P" + suffix, DIRECT_TRANSLATED_P2P);
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        bits(f.register("ACS Capability", CAPABILITY, 2), "")
                .flag("Enhanced Capability", ENHANCED_CAPABILITY)
                .add("Egress Control Vector Size", EGRESS_VECTOR_SIZE_MASK, v -> v == 0 ? "0 (256)" : Long.toString(v));
        bits(f.register("ACS Control", CONTROL, 2), " Enable")
                .flag("I/O Request Blocking Enable", IO_REQUEST_BLOCKING)
                .number("DSP Memory Target Access Control", DSP_MEMORY_TARGET_ACCESS_MASK)
                .number("USP Memory Target Access Control", USP_MEMORY_TARGET_ACCESS_MASK)
                .flag("Unclaimed Request Redirect Control", UNCLAIMED_REQUEST_REDIRECT);
        for (int i = 0; i < egressControlVectorDwords(); i++) {
            f.register("Egress Control Vector " + i, EGRESS_CONTROL_VECTOR + 4 * i, 4)
                    .whole("Egress Control Vector bits " + (32 * i + 31) + ":" + 32 * i);
        }
        return f.list();
    }
}
