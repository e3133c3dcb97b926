package dev.vcap.pci.capability;

import java.util.Locale;

/**
 * Something a chain walk noticed about device data. Bad hardware is data, not an exception: every
 * oddity is reported with where it is.
 *
 * @param kind     what was found
 * @param space    which list, or null for image-wide findings
 * @param offset   the offset the finding is about (the capability or pointer), or -1
 * @param message  one line for people
 */
public record Finding(Kind kind, CapabilitySpace space, int offset, String message) {

    /** How much a finding matters to someone building a virtual config space. */
    public enum Severity {
        /** Legal but notable (a backward pointer, an unknown ID). */
        INFO,
        /** The data is odd and the result may be incomplete. */
        WARNING,
        /** The chain is broken; what follows the finding was not walked. */
        ERROR;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Every kind of finding, each with its severity. */
    public enum Kind {
        /** A next pointer leads to a capability already visited; the walk stopped there. */
        LOOP(Severity.ERROR),
        /** A next pointer leads to a lower offset (legal; QEMU once assumed otherwise). */
        BACKWARD_POINTER(Severity.INFO),
        /** Two capabilities' architected lengths overlap. */
        OVERLAP(Severity.WARNING),
        /** A standard capability pointer below 0x40, inside the header. */
        POINTER_INTO_HEADER(Severity.WARNING),
        /** An extended next pointer below 0x100 (into conventional space); the walk stopped. */
        POINTER_OUT_OF_RANGE(Severity.ERROR),
        /** A pointer with its reserved low bits set; it was followed with them cleared. */
        UNALIGNED_POINTER(Severity.WARNING),
        /** A pointer or structure reaches past the captured bytes. */
        TRUNCATED_IMAGE(Severity.WARNING),
        /** A PCI Express device whose dump stops at 256 bytes: extended space was not captured. */
        EXTENDED_SPACE_MISSING(Severity.INFO),
        /**
         * The Vendor ID and the Header Type read all ones, what config reads return when no function
         * answers (powered down, in D3cold, link down, nothing at the address): nothing else is
         * decoded. pciutils calls the ID illegal and the header type unknown, and decodes nothing
         * past the header either.
         */
        FUNCTION_NOT_RESPONDING(Severity.ERROR),
        /**
         * A header type other than 0 (normal), 1 (bridge) or 2 (CardBus): the layout of the rest is
         * unknown, so nothing is walked (pciutils: "Unknown header type").
         */
        UNKNOWN_HEADER_TYPE(Severity.ERROR),
        /** The 64-byte header is all zero. */
        ZERO_HEADER(Severity.ERROR),
        /** A next pointer leads to an all-zero extended header. */
        ZERO_CAPABILITY_HEADER(Severity.WARNING),
        /** Capability ID 0xFF, or an extended header of all ones: pciutils' "chain broken". */
        CHAIN_BROKEN(Severity.ERROR),
        /** An ID the catalogue does not know; its length is bounded by the next capability. */
        UNKNOWN_ID(Severity.INFO),
        /** A structure runs past the end of its space (0x100 or 0x1000). */
        EXTENDS_PAST_END(Severity.WARNING),
        /** Extended space holds data but the device has no PCI Express or PCI-X capability. */
        EXTENDED_SPACE_NOT_WALKED(Severity.INFO);

        private final Severity severity;

        Kind(Severity severity) {
            this.severity = severity;
        }

        public Severity severity() {
            return severity;
        }

        /** The name used in JSON: lower case with dashes. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public Severity severity() {
        return kind.severity();
    }

    @Override
    public String toString() {
        return severity().label() + " " + kind.label() + (offset >= 0 ? " @0x" + Integer.toHexString(offset) : "") + ": "
                + message;
    }
}
