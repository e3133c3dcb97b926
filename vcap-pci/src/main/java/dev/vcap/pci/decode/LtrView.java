package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * Latency Tolerance Reporting (LTR) extended capability, ID 0x18, 8 bytes (PCIe base spec 7.8.2).
 *
 * <pre>
 *  31                            16 15                             0
 * +--------------------------------+--------------------------------+
 * |        Extended Capability Header (ID 0x0018)                   | +0x00
 * +--------------------------------+--------------------------------+
 * |     Max No-Snoop Latency       |      Max Snoop Latency         | +0x04
 * +--------------------------------+--------------------------------+
 *
 * Each latency: 12:10 Scale (latency = Value x 32^Scale ns; 6 and 7 not permitted), 9:0 Value
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record LtrView(ConfigSpace cs, int offset) implements CapabilityView {

    /** Max Snoop Latency register, 16 bits. */
    public static final int MAX_SNOOP_LATENCY = 0x04;
    /** Max No-Snoop Latency register, 16 bits. */
    public static final int MAX_NO_SNOOP_LATENCY = MAX_SNOOP_LATENCY + 2;
    public static final int VALUE_MASK = 0x3FF;
    public static final int SCALE_SHIFT = 10;
    public static final int SCALE_MASK = 0x7 << SCALE_SHIFT;

    /** Size of the structure. */
    public static final int LENGTH = MAX_NO_SNOOP_LATENCY + 2;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.LTR;
    }

    public int maxSnoopLatency() {
        return read16(MAX_SNOOP_LATENCY);
    }

    public int maxNoSnoopLatency() {
        return read16(MAX_NO_SNOOP_LATENCY);
    }

    /** Max snoop latency in ns, -1 for a scale the spec does not permit. */
    public long maxSnoopLatencyNs() {
        return nanoseconds(maxSnoopLatency());
    }

    /** Max no-snoop latency in ns, -1 for a scale the spec does not permit. */
    public long maxNoSnoopLatencyNs() {
        return nanoseconds(maxNoSnoopLatency());
    }

    private static long nanoseconds(int register) {
        return Text.latencyNs(register & VALUE_MASK, (register & SCALE_MASK) >>> SCALE_SHIFT);
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        int snoop = maxSnoopLatency();
        int noSnoop = maxNoSnoopLatency();
        f.register("Max Snoop Latency", MAX_SNOOP_LATENCY, 2)
                .number("Max Snoop LatencyValue", VALUE_MASK)
                .add("Max Snoop LatencyScale", SCALE_MASK,
                        v -> v + " (" + Text.latency(snoop & VALUE_MASK, v) + ")");
        f.register("Max No-Snoop Latency", MAX_NO_SNOOP_LATENCY, 2)
                .number("Max No-Snoop LatencyValue", VALUE_MASK)
                .add("Max No-Snoop LatencyScale", SCALE_MASK,
                        v -> v + " (" + Text.latency(noSnoop & VALUE_MASK, v) + ")");
        return f.list();
    }
}
