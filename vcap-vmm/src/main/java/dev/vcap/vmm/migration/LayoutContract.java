package dev.vcap.vmm.migration;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.vmm.config.Origin;
import dev.vcap.vmm.placement.DeviceIdentity;
import dev.vcap.vmm.placement.SyntheticCapability;
import java.util.List;

/**
 * The layout a guest has seen, as a versioned, canonical document (docs/CONTRACT.md): the
 * device's identity, its config size, every capability the guest sees (in chain order, with its
 * origin), the ones hidden, the parameters of every synthesized capability, and which bits a
 * destination must reproduce with their values. "Capability offsets cannot change during live
 * migration" — this is that promise, checkable.
 *
 * @param identity     vendor, device, subsystem, revision, class
 * @param configSize   256 or 4096
 * @param capabilities guest-visible capabilities, standard then extended, each list in chain order
 * @param extendedStub whether a null stub heads the extended list at 0x100
 * @param hidden       capabilities the device has and the guest does not see
 * @param synthesized  how each synthesized capability was built
 * @param checked      runs of bytes with checked bits, their masks and values
 * @param check        which rule admits a destination: vcap's, or QEMU 11.0's
 * @param config       for QEMU's rule, the source's whole config space as QEMU holds it and sends
 *                     it ({@code config[]}); empty for vcap's
 */
public record LayoutContract(DeviceIdentity identity, int configSize, List<Entry> capabilities, boolean extendedStub,
        List<Hidden> hidden, List<Synthesized> synthesized, List<Checked> checked, Check check, byte[] config) {

    /** The rule a destination is admitted under (docs/CONTRACT.md). */
    public enum Check {
        /** vcap's: identity, capabilities, synthesized capabilities' room, PASID support, checked bits. */
        VCAP("vcap"),
        /** QEMU 11.0's: {@code get_pci_config_device()} with the destination's own masks, over the whole config. */
        QEMU("qemu-11.0");

        private final String label;

        Check(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The format's name, in the document. */
    public static final String FORMAT = "vcap-layout-contract";
    /** The only version this vcap reads and writes. */
    public static final int VERSION = 1;

    public LayoutContract {
        capabilities = List.copyOf(capabilities);
        hidden = List.copyOf(hidden);
        synthesized = List.copyOf(synthesized);
        checked = List.copyOf(checked);
        config = config.clone();
        if ((check == Check.QEMU) != (config.length == configSize) || check == Check.VCAP && config.length != 0) {
            throw new IllegalArgumentException("QEMU's rule carries the whole " + configSize + "-byte config space;"
                    + " vcap's none, got " + config.length + " bytes under " + check);
        }
    }

    /** A contract under vcap's rule. */
    public LayoutContract(DeviceIdentity identity, int configSize, List<Entry> capabilities, boolean extendedStub,
            List<Hidden> hidden, List<Synthesized> synthesized, List<Checked> checked) {
        this(identity, configSize, capabilities, extendedStub, hidden, synthesized, checked, Check.VCAP, new byte[0]);
    }

    @Override
    public byte[] config() {
        return config.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayoutContract c && c.identity.equals(identity) && c.configSize == configSize
                && c.capabilities.equals(capabilities) && c.extendedStub == extendedStub && c.hidden.equals(hidden)
                && c.synthesized.equals(synthesized) && c.checked.equals(checked) && c.check == check
                && java.util.Arrays.equals(c.config, config);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(identity, configSize, capabilities, synthesized, check);
    }

    @Override
    public String toString() {
        return "LayoutContract[" + identity + ", " + configSize + " bytes, " + check.label() + ", " + capabilities + "]";
    }

    /** A guest-visible capability. */
    public record Entry(CapabilitySpace space, int offset, int id, int version, int length, Origin origin) {
        public int end() {
            return offset + length;
        }

        public String name() {
            return CapabilityKind.nameOf(space, id);
        }

        @Override
        public String toString() {
            return String.format("%s %s@0x%03x v%d (%s)", space.label(), name(), offset, version, origin.label());
        }
    }

    /** A capability the guest does not see. */
    public record Hidden(CapabilitySpace space, int offset, int id, int version, int length) {
    }

    /**
     * How a synthesized capability was built, so a destination can build the same one.
     *
     * @param capability PASID, PRI or ATS
     * @param offset     where it is
     * @param pasidWidth PASID: Max PASID Width
     * @param execute    PASID: Execute Permission Supported
     * @param privileged PASID: Privileged Mode Supported
     * @param priCapacity PRI: Outstanding Page Request Capacity
     * @param priPasidRequired PRI: PRG Response PASID Required
     * @param atsQueueDepth ATS: Invalidate Queue Depth
     * @param atsPageAligned ATS: Page Aligned Request
     * @param atsGlobalInvalidate ATS: Global Invalidate Supported
     */
    public record Synthesized(SyntheticCapability capability, int offset, int pasidWidth, boolean execute,
            boolean privileged, int priCapacity, boolean priPasidRequired, int atsQueueDepth, boolean atsPageAligned,
            boolean atsGlobalInvalidate) {
    }

    /**
     * A run of bytes whose masked bits a destination must reproduce.
     *
     * @param start  first byte
     * @param mask   checked bits, one byte per byte of the run
     * @param values the expected values of the checked bits
     */
    public record Checked(int start, byte[] mask, byte[] values) {
        public int end() {
            return start + mask.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Checked c && c.start == start && java.util.Arrays.equals(c.mask, mask)
                    && java.util.Arrays.equals(c.values, values);
        }

        @Override
        public int hashCode() {
            return 31 * start + java.util.Arrays.hashCode(mask);
        }
    }

    public java.util.Optional<Synthesized> synthesized(SyntheticCapability c) {
        return synthesized.stream().filter(s -> s.capability() == c).findFirst();
    }
}
