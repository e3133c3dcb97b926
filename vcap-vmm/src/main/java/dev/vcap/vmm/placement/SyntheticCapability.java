package dev.vcap.vmm.placement;

import dev.vcap.pci.capability.ExtendedCapability;
import java.util.Locale;
import java.util.Optional;

/** The capabilities vcap synthesizes, with the lengths placement reserves for them. */
public enum SyntheticCapability {
    PASID(ExtendedCapability.PASID, 8),
    PRI(ExtendedCapability.PRI, 16),
    ATS(ExtendedCapability.ATS, 8);

    private final ExtendedCapability kind;
    private final int length;

    SyntheticCapability(ExtendedCapability kind, int length) {
        this.kind = kind;
        this.length = length;
    }

    public ExtendedCapability kind() {
        return kind;
    }

    public int length() {
        return length;
    }

    /** Parses {@code pasid}, {@code PRI}, ...; empty for anything else. */
    public static Optional<SyntheticCapability> parse(String name) {
        try {
            return Optional.of(valueOf(name.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
