package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * Data Link Feature extended capability, ID 0x25, 12 bytes (PCIe base spec 7.7.4): which optional
 * Data Link Layer features this port and its link partner support.
 *
 * <pre>
 *  31 30                        23 22                              0
 * +--+----------------------------+---------------------------------+
 * |        Extended Capability Header (ID 0x0025)                   | +0x00
 * +--+----------------------------+---------------------------------+
 * |E |       reserved             | Local Data Link Feature Supported| +0x04  Capabilities
 * +--+----------------------------+---------------------------------+
 * |V |       reserved             | Remote Data Link Feature Supported| +0x08 Status
 * +--+----------------------------+---------------------------------+
 *
 * E = Data Link Feature Exchange Enable; V = Remote Data Link Feature Supported Valid.
 * Feature bit 0: Scaled Flow Control; bits 22:1 are further features (reserved in PCIe 5.0).
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record DataLinkFeatureView(ConfigSpace cs, int offset) implements CapabilityView {

    /** Data Link Feature Capabilities, 32 bits. */
    public static final int CAPABILITIES = 0x04;
    public static final int FEATURES_MASK = 0x7F_FFFF;
    public static final int SCALED_FLOW_CONTROL = 1;
    public static final int OTHER_FEATURES_MASK = FEATURES_MASK & ~SCALED_FLOW_CONTROL;
    public static final int EXCHANGE_ENABLE = 1 << 31;

    /** Data Link Feature Status, 32 bits; features in {@link #FEATURES_MASK}. */
    public static final int STATUS = CAPABILITIES + 4;
    public static final int REMOTE_VALID = 1 << 31;

    /** Size of the structure. */
    public static final int LENGTH = STATUS + 4;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.DATA_LINK_FEATURE;
    }

    public int capabilities() {
        return read32(CAPABILITIES);
    }

    /** Local Data Link Feature Supported vector (bits 22:0). */
    public int localFeatures() {
        return capabilities() & FEATURES_MASK;
    }

    public boolean localScaledFlowControl() {
        return (capabilities() & SCALED_FLOW_CONTROL) != 0;
    }

    public boolean exchangeEnabled() {
        return (capabilities() & EXCHANGE_ENABLE) != 0;
    }

    public int status() {
        return read32(STATUS);
    }

    /** Remote Data Link Feature Supported vector (bits 22:0). */
    public int remoteFeatures() {
        return status() & FEATURES_MASK;
    }

    public boolean remoteValid() {
        return (status() & REMOTE_VALID) != 0;
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("Data Link Feature Capabilities", CAPABILITIES, 4)
                .flag("Local Scaled Flow Control Supported", SCALED_FLOW_CONTROL)
                .hex("Local Data Link Feature Supported (bits 22:1)", OTHER_FEATURES_MASK)
                .flag("Data Link Feature Exchange Enable", EXCHANGE_ENABLE);
        f.register("Data Link Feature Status", STATUS, 4)
                .flag("Remote Scaled Flow Control Supported", SCALED_FLOW_CONTROL)
                .hex("Remote Data Link Feature Supported (bits 22:1)", OTHER_FEATURES_MASK)
                .flag("Remote Data Link Feature Supported Valid", REMOTE_VALID);
        return f.list();
    }
}
