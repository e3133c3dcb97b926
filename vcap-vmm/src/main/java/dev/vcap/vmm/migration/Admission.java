package dev.vcap.vmm.migration;

import dev.vcap.host.ConfigRegion;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.occupancy.ByteRange;
import dev.vcap.vmm.config.CapabilityDefinition;
import dev.vcap.vmm.config.ChainEditException;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.config.Origin;
import dev.vcap.vmm.config.VirtualCapability;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.config.VirtualLayout;
import dev.vcap.vmm.placement.Decision;
import dev.vcap.vmm.placement.DeviceIdentity;
import dev.vcap.vmm.placement.PlacementEngine;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.Quirk;
import dev.vcap.vmm.placement.QuirkTable;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Admits a destination device under a contract, or refuses it — before anything is written to the
 * device: admission only reads the destination's config region, and builds the guest's view in
 * the VMM's own memory.
 *
 * <p>Rules, checked in this order (the first that fails is the refusal):
 * <ol>
 * <li>{@link Rule#CONFIG_SIZE}: the destination's config space has the contract's size;</li>
 * <li>{@link Rule#IDENTITY}: vendor, device, subsystem, revision and class are the contract's;</li>
 * <li>{@link Rule#CAPABILITY_MISSING}, {@link Rule#CAPABILITY_VERSION}: every physical (or
 * virtualized) capability of the contract is at the same offset with the same ID and version;</li>
 * <li>{@link Rule#SYNTHESIZED_OVERLAPS_CAPABILITY}: no synthesized capability covers a capability
 * of the destination (one the contract does not hide or drop);</li>
 * <li>{@link Rule#SYNTHESIZED_FORBIDDEN_RANGE}: nor a range a destination quirk forbids;</li>
 * <li>{@link Rule#SYNTHESIZED_NONZERO_BYTES}: nor destination bytes that read non-zero (registers
 * hidden in a gap);</li>
 * <li>{@link Rule#PASID_WIDTH}: the destination host's PASID width is at least the contract's;</li>
 * <li>{@link Rule#PASID_FEATURES}: the destination host supports Execute and Privileged wherever the
 * contract gave them to the guest (offering more is admitted);</li>
 * <li>{@link Rule#CHECKED_BITS}: the rebuilt guest view reproduces every bit the source marked
 * checked (emulated and read-only) with the contract's value.</li>
 * </ol>
 * A contract under QEMU 11.0's rule ({@link LayoutContract.Check#QEMU}) is admitted by that rule
 * alone ({@link Rule#QEMU_CONFIG}; docs/CONTRACT.md, "Two rules").
 */
public final class Admission {

    /** Why a destination was refused. */
    public enum Rule {
        CONFIG_SIZE, IDENTITY, CAPABILITY_MISSING, CAPABILITY_VERSION, SYNTHESIZED_OVERLAPS_CAPABILITY,
        SYNTHESIZED_FORBIDDEN_RANGE, SYNTHESIZED_NONZERO_BYTES, PASID_WIDTH, PASID_FEATURES, CHECKED_BITS,
        /** QEMU 11.0's rule ({@link LayoutContract.Check#QEMU}): {@code get_pci_config_device()} found a bad byte. */
        QEMU_CONFIG
    }

    /** What admission concluded. */
    public sealed interface Result {
        /** The destination reproduces the contract; {@code vcs} is the guest's view, ready for its state. */
        record Admitted(VirtualConfigSpace vcs, List<String> actions) implements Result {
        }

        /**
         * Refused, naming the first offending capability or byte.
         *
         * @param rule   the rule that failed
         * @param offset the offending offset, or -1
         * @param reason one line for people
         */
        record Refused(Rule rule, int offset, String reason) implements Result {
        }
    }

    /**
     * What the destination host offers beyond its device.
     *
     * @param hostPasid the destination's PASID support (from GET_HW_INFO, with the vIOMMU's)
     * @param quirks    the quirk tables the destination applies
     * @param hiding    the hiding policy the source used
     */
    public record Options(PasidSupport hostPasid, QuirkTable quirks, HidingPolicy hiding) {
    }

    private Admission() {
    }

    public static Result admit(LayoutContract contract, ConfigRegion destination, Options options) {
        if (destination.size() != contract.configSize()) {
            return refuse(Rule.CONFIG_SIZE, -1, String.format("the destination's config space is %d bytes; the"
                    + " contract's is %d", destination.size(), contract.configSize()));
        }
        if (contract.check() == LayoutContract.Check.QEMU) {
            return admitAsQemu(contract, destination, options);
        }
        // the header's identity reads through the VMM unchanged: refuse another model before building a view
        ConfigSpace header = ConfigSpace.allocate(ConfigSpace.HEADER_SIZE);
        for (int off = 0; off < ConfigSpace.HEADER_SIZE; off += 4) {
            header.setU32(off, destination.read(off, 4));
        }
        Optional<Result.Refused> identity = identity(contract.identity(), DeviceIdentity.of(header));
        if (identity.isPresent()) {
            return identity.get();
        }
        VirtualConfigSpace vcs = VirtualConfigSpace.over(destination);
        List<String> actions = new ArrayList<>();
        VirtualLayout dest = vcs.layout();
        for (LayoutContract.Entry e : contract.capabilities()) {
            if (e.origin() == Origin.SYNTHESIZED || e.origin() == Origin.VIRTUAL) {
                continue;
            }
            Optional<VirtualCapability> there = dest.list(e.space()).stream().filter(c -> c.offset() == e.offset())
                    .findFirst();
            if (there.isEmpty() || there.get().id() != e.id()) {
                String found = there.map(VirtualCapability::toString).orElseGet(() -> dest.list(e.space()).stream()
                        .filter(c -> c.id() == e.id()).findFirst().map(c -> "it at 0x" + Integer.toHexString(c.offset())
                                + " instead").orElse("no such capability"));
                return refuse(Rule.CAPABILITY_MISSING, e.offset(), "the contract's " + e + " is not on the destination,"
                        + " which has " + found);
            }
            if (Math.max(there.get().version(), 0) != e.version()) {
                return refuse(Rule.CAPABILITY_VERSION, e.offset(), String.format("the contract's %s is version %d on the"
                        + " destination", e, there.get().version()));
            }
        }
        // what the destination shows that the guest never saw is hidden; the guest's chain is the contract's
        for (VirtualCapability c : dest.all().toList()) {
            boolean inContract = contract.capabilities().stream().anyMatch(e -> e.space() == c.space()
                    && e.offset() == c.offset() && e.origin() != Origin.SYNTHESIZED && e.origin() != Origin.VIRTUAL);
            if (!inContract) {
                boolean coveredBySynthesis = contract.synthesized().stream().anyMatch(s -> c.is(s.capability().kind()));
                if (coveredBySynthesis) {
                    vcs.editor().drop(c, "the contract synthesizes its own");
                    actions.add("dropped the destination's " + c + ": the contract synthesizes its own");
                } else {
                    vcs.editor().hide(c, "not in the contract");
                    actions.add("hid the destination's " + c + ": the guest never saw it");
                }
            }
        }
        List<Quirk> quirks = options.quirks().matching(DeviceIdentity.of(header));
        for (LayoutContract.Synthesized s : contract.synthesized()) {
            Optional<Result.Refused> problem = synthesizable(s, vcs, quirks, options.hostPasid());
            if (problem.isPresent()) {
                return problem.get();
            }
            vcs.editor().insert(s.offset(), definition(s));
        }
        for (LayoutContract.Entry e : contract.capabilities()) {
            if (e.origin() == Origin.VIRTUALIZED) {
                VirtualCapability physical = vcs.layout().list(e.space()).stream().filter(c -> c.offset() == e.offset())
                        .findFirst().orElseThrow();
                options.hiding().virtualizeOne(vcs, physical);
            }
        }
        for (CapabilitySpace space : CapabilitySpace.values()) {
            List<Integer> order = contract.capabilities().stream().filter(e -> e.space() == space)
                    .map(LayoutContract.Entry::offset).toList();
            try {
                vcs.editor().order(space, order);
            } catch (ChainEditException e) {
                return refuse(Rule.CAPABILITY_MISSING, -1, "the destination cannot reproduce the contract's " + space.label()
                        + " chain: " + e.getMessage());
            }
        }
        Optional<Result.Refused> bits = checkedBits(contract, vcs);
        if (bits.isPresent()) {
            return bits.get();
        }
        return new Result.Admitted(vcs, actions);
    }

    /**
     * QEMU 11.0's rule, exactly: the destination QEMU builds its own view of its device — vfio's
     * view, SR-IOV and ARI dropped, vPASID synthesized at the contract's offset with the
     * destination host's PASID values (when its host and vIOMMU offer PASID) — then
     * {@code get_pci_config_device()} (hw/pci/pci.c) compares the source's {@code config[]} with its
     * own under its own masks ({@link QemuConfigMasks}) and refuses the first differing byte. Nothing
     * else is checked: not subsystem IDs, not the interrupt pin, not whether vPASID overlays a
     * register.
     */
    private static Result admitAsQemu(LayoutContract contract, ConfigRegion destination, Options options) {
        ConfigSpace host = ConfigSpace.allocate(destination.size());
        for (int off = 0; off < destination.size(); off += 4) {
            host.setU32(off, destination.read(off, 4));
        }
        VirtualConfigSpace vcs = VirtualConfigSpace.over(destination);
        List<String> actions = new ArrayList<>(options.hiding().apply(vcs));
        Optional<LayoutContract.Synthesized> pasid = contract.synthesized(SyntheticCapability.PASID);
        if (pasid.isPresent() && options.hostPasid().supported()) {
            Decision d = PlacementEngine.place(vcs, Map.of(SyntheticCapability.PASID, Synthesizers.pasid(
                    options.hostPasid())), PlacementOptions.defaults().withCompat(PlacementOptions.Compat.QEMU)
                    .withExplicit(Map.of(SyntheticCapability.PASID, pasid.get().offset()))).decisions().getFirst();
            actions.add("QEMU's vPASID on the destination: " + (d.placed() ? String.format("0x%03x", d.offset().getAsInt())
                    : "none") + " (" + d.reason() + ")");
        }
        OptionalInt vpasid = vcs.layout().extended().stream().filter(c -> c.origin() == Origin.SYNTHESIZED)
                .mapToInt(VirtualCapability::offset).findFirst();
        QemuConfigMasks masks = QemuConfigMasks.of(host, vpasid);
        ConfigSpace current = vcs.guestImage();
        byte[] incoming = contract.config();
        for (int i = 0; i < incoming.length; i++) {
            int read = incoming[i] & 0xFF;
            int device = current.u8(i);
            if (((read ^ device) & masks.checked(i)) != 0) {
                int at = i;
                String owner = vcs.layout().all().filter(c -> c.overlaps(at, at + 1)).findFirst()
                        .map(VirtualCapability::toString).orElse(i < ConfigSpace.HEADER_SIZE ? "header"
                                : "a byte QEMU counts in the capability before it");
                return refuse(Rule.QEMU_CONFIG, i, String.format("get_pci_config_device: Bad config data: i=0x%x"
                        + " read: %x device: %x cmask: %x wmask: %x w1cmask:%x (%s)", i, read, device,
                        masks.cmask[i] & 0xFF, masks.wmask[i] & 0xFF, masks.w1cmask[i] & 0xFF, owner));
            }
        }
        return new Result.Admitted(vcs, actions);
    }

    private static Optional<Result.Refused> identity(DeviceIdentity want, DeviceIdentity got) {
        record Field(String name, int offset, int want, int got, String format) {
        }
        for (Field f : List.of(new Field("vendor ID", 0x00, want.vendor(), got.vendor(), "%04x"),
                new Field("device ID", 0x02, want.device(), got.device(), "%04x"),
                new Field("revision", 0x08, want.revision(), got.revision(), "%02x"),
                new Field("class code", 0x09, want.classCode(), got.classCode(), "%06x"),
                new Field("subsystem vendor ID", 0x2C, want.subsystemVendor(), got.subsystemVendor(), "%04x"),
                new Field("subsystem ID", 0x2E, want.subsystem(), got.subsystem(), "%04x"))) {
            if (f.want() != f.got()) {
                return Optional.of(new Result.Refused(Rule.IDENTITY, f.offset(), String.format("the destination's %s is "
                        + f.format() + "; the contract's is " + f.format(), f.name(), f.got(), f.want())));
            }
        }
        return Optional.empty();
    }

    private static Optional<Result.Refused> synthesizable(LayoutContract.Synthesized s, VirtualConfigSpace vcs,
            List<Quirk> quirks, PasidSupport host) {
        int length = s.capability().length();
        Optional<ChainEditException> fit = vcs.editor().check(CapabilitySpace.EXTENDED, s.offset(), length);
        if (fit.isPresent()) {
            return Optional.of(new Result.Refused(Rule.SYNTHESIZED_OVERLAPS_CAPABILITY, s.offset(), String.format(
                    "the contract's synthesized %s at 0x%03x cannot go there on the destination: %s", s.capability(),
                    s.offset(), fit.get().getMessage())));
        }
        ByteRange range = ByteRange.ofLength(s.offset(), length);
        for (Quirk q : quirks) {
            for (Quirk.Forbidden f : q.forbidden()) {
                if (f.range().overlaps(range)) {
                    return Optional.of(new Result.Refused(Rule.SYNTHESIZED_FORBIDDEN_RANGE, s.offset(), String.format(
                            "the contract's synthesized %s at 0x%03x covers %s, which the destination's quirk '%s' forbids"
                                    + " (%s)", s.capability(), s.offset(), f.range(), q.id(), f.reason())));
                }
            }
        }
        // the guest's view as it stands, as placement reads it: a dropped capability's bytes are free
        for (int b = s.offset(); b < s.offset() + length; b++) {
            int value = vcs.read(b, 1);
            if (value != 0) {
                return Optional.of(new Result.Refused(Rule.SYNTHESIZED_NONZERO_BYTES, b, String.format("the contract's"
                        + " synthesized %s at 0x%03x covers destination byte 0x%03x, which reads 0x%02x (a register"
                        + " hidden in a gap?)", s.capability(), s.offset(), b, value)));
            }
        }
        if (s.capability() == SyntheticCapability.PASID) {
            if (host.width() < s.pasidWidth()) {
                return Optional.of(new Result.Refused(Rule.PASID_WIDTH, s.offset(), String.format("the destination host"
                        + " supports %d PASID bits; the guest was given %d", host.width(), s.pasidWidth())));
            }
            // offering more than the guest was given is harmless: the guest never enables what it was not shown
            if (s.execute() && !host.execute() || s.privileged() && !host.privileged()) {
                return Optional.of(new Result.Refused(Rule.PASID_FEATURES, s.offset(), String.format("the destination"
                        + " host's PASID features are Exec%s Priv%s; the guest was given Exec%s Priv%s and may use"
                        + " what the destination lacks", flag(host.execute()), flag(host.privileged()),
                        flag(s.execute()), flag(s.privileged()))));
            }
        }
        return Optional.empty();
    }

    private static String flag(boolean b) {
        return b ? "+" : "-";
    }

    /** The definition a contract's parameters describe. */
    static CapabilityDefinition definition(LayoutContract.Synthesized s) {
        return switch (s.capability()) {
            case PASID -> Synthesizers.pasid(new PasidSupport(s.pasidWidth(), s.execute(), s.privileged()));
            case PRI -> Synthesizers.pri(s.priCapacity(), s.priPasidRequired());
            case ATS -> Synthesizers.ats(s.atsQueueDepth(), s.atsPageAligned(), s.atsGlobalInvalidate());
        };
    }

    private static Optional<Result.Refused> checkedBits(LayoutContract contract, VirtualConfigSpace vcs) {
        ConfigSpace image = vcs.guestImage();
        for (LayoutContract.Checked run : contract.checked()) {
            for (int i = 0; i < run.mask().length; i++) {
                int b = run.start() + i;
                int mask = run.mask()[i] & 0xFF;
                int diff = (image.u8(b) ^ run.values()[i]) & mask;
                if (diff != 0) {
                    VirtualCapability owner = vcs.layout().all().filter(c -> c.overlaps(b, b + 1)).findFirst().orElse(null);
                    return Optional.of(new Result.Refused(Rule.CHECKED_BITS, b, String.format("checked byte 0x%03x (%s)"
                            + " reads 0x%02x on the destination; the contract says 0x%02x under mask 0x%02x", b,
                            owner == null ? (b < ConfigSpace.HEADER_SIZE ? "header" : "no capability") : owner.toString(),
                            image.u8(b) & mask, run.values()[i] & mask, mask)));
                }
            }
        }
        return Optional.empty();
    }

    private static Result refuse(Rule rule, int offset, String reason) {
        return new Result.Refused(rule, offset, reason);
    }
}
