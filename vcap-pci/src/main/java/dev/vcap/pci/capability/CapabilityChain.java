package dev.vcap.pci.capability;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The capabilities of one image, in chain order, with everything the walk noticed.
 *
 * <p>{@link #walk(ConfigSpace)} follows the chains the way pciutils 3.9 does — so its list equals
 * the {@code Capabilities:} lines of {@code lspci -vvv} — and never throws on device data: loops,
 * broken and truncated chains end the walk with a {@link Finding}. Where pciutils and Linux
 * disagree, the walk takes Linux's side and says so in a finding (an extended next pointer below
 * 0x100 ends the list, as in {@code pci_find_next_ext_capability}).
 *
 * @param standard capabilities chained from the header's pointer, in chain order
 * @param extended capabilities chained from 0x100, in chain order
 * @param findings what the walk noticed, in the order it noticed them
 * @param traits   header type and PCI Express facts used to size capabilities
 */
public record CapabilityChain(List<Capability> standard, List<Capability> extended, List<Finding> findings,
        DeviceTraits traits) {

    /** First offset after the header where a standard capability may live. */
    public static final int FIRST_STANDARD_OFFSET = ConfigSpace.HEADER_SIZE;
    /** Where the extended list starts. */
    public static final int FIRST_EXTENDED_OFFSET = ConfigSpace.CONVENTIONAL_SIZE;

    public CapabilityChain {
        standard = List.copyOf(standard);
        extended = List.copyOf(extended);
        findings = List.copyOf(findings);
    }

    /** Walks both chains of an image. */
    public static CapabilityChain walk(ConfigSpace cs) {
        return new Walker(cs).walk();
    }

    /** Both lists, standard first. */
    public Stream<Capability> all() {
        return Stream.concat(standard.stream(), extended.stream());
    }

    public List<Capability> list(CapabilitySpace space) {
        return space == CapabilitySpace.STANDARD ? standard : extended;
    }

    /** The first capability of a kind in chain order, as Linux's find functions return it. */
    public Optional<Capability> find(CapabilityKind kind) {
        for (Capability c : list(kind.space())) {
            if (c.id() == kind.id()) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    public boolean has(CapabilityKind kind) {
        return find(kind).isPresent();
    }

    /** True when the device has a PCI Express capability. */
    public boolean isPciExpress() {
        return has(StandardCapability.PCI_EXPRESS);
    }

    public boolean hasFinding(Finding.Kind kind) {
        return findings.stream().anyMatch(f -> f.kind() == kind);
    }

    /**
     * True when the header leaves nothing to decode — a function that did not respond, or a header
     * type nobody knows — so neither list was walked and the bytes past the header mean nothing.
     */
    public boolean undecodable() {
        return hasFinding(Finding.Kind.FUNCTION_NOT_RESPONDING) || hasFinding(Finding.Kind.UNKNOWN_HEADER_TYPE);
    }

    /** The walk itself; one instance per image. */
    private static final class Walker {
        private final ConfigSpace cs;
        private final List<Finding> findings = new ArrayList<>();
        private final List<RawCapability> rawStandard = new ArrayList<>();
        private final List<RawCapability> rawExtended = new ArrayList<>();

        private record RawCapability(int offset, int id, int version, int next) {
        }

        Walker(ConfigSpace cs) {
            this.cs = cs;
        }

        CapabilityChain walk() {
            if (!cs.captured(0, ConfigSpace.HEADER_SIZE)) {
                findings.add(new Finding(Finding.Kind.TRUNCATED_IMAGE, null, cs.length(),
                        "image has " + cs.length() + " bytes, less than the 64-byte header"));
                return done(DeviceTraits.unknown(0));
            }
            if (Header.notResponding(cs)) {
                findings.add(new Finding(Finding.Kind.FUNCTION_NOT_RESPONDING, null, Header.VENDOR_ID,
                        "function not responding: the Vendor ID and Header Type read all ones, what a read returns"
                                + " when no function answers (powered down, in D3cold, link down, or nothing at this"
                                + " address); nothing was decoded"));
                return done(DeviceTraits.unknown(Header.type(cs)));
            }
            if (cs.isZero(0, ConfigSpace.HEADER_SIZE)) {
                findings.add(new Finding(Finding.Kind.ZERO_HEADER, null, 0, "the 64-byte header is all zero"));
                return done(DeviceTraits.unknown(0));
            }
            int headerType = Header.type(cs);
            if (headerType > Header.TYPE_CARDBUS) {
                findings.add(new Finding(Finding.Kind.UNKNOWN_HEADER_TYPE, null, Header.HEADER_TYPE, String.format(
                        "unknown header type 0x%02x (not 0 normal, 1 bridge or 2 CardBus): the layout past the first"
                                + " 16 bytes is unknown, so nothing was walked", headerType)));
                return done(DeviceTraits.unknown(headerType));
            }
            boolean canHaveExtended = walkStandard();
            DeviceTraits traits = rawStandard.stream()
                    .filter(c -> c.id() == StandardCapability.PCI_EXPRESS.id())
                    .findFirst()
                    .map(c -> DeviceTraits.fromPcie(cs, headerType, c.offset()))
                    .orElse(DeviceTraits.unknown(headerType));
            if (canHaveExtended) {
                walkExtended();
            } else if (cs.hasExtendedSpace() && cs.captured(FIRST_EXTENDED_OFFSET, 4) && cs.u32(FIRST_EXTENDED_OFFSET) != 0
                    && cs.u32(FIRST_EXTENDED_OFFSET) != -1) {
                findings.add(new Finding(Finding.Kind.EXTENDED_SPACE_NOT_WALKED, CapabilitySpace.EXTENDED,
                        FIRST_EXTENDED_OFFSET, "extended space holds data, but without a PCI Express or PCI-X"
                                + " capability it is not a capability list (pciutils and Linux skip it too)"));
            }
            return done(traits);
        }

        /** Walks the standard list; true when it met a PCI Express or PCI-X capability. */
        private boolean walkStandard() {
            if (!Header.hasCapabilityList(cs)) {
                return false;
            }
            boolean canHaveExtended = false;
            int pointerOffset = Header.capabilityPointerOffset(cs);
            int raw = cs.u8(pointerOffset);
            noteUnaligned(CapabilitySpace.STANDARD, pointerOffset, raw, 0x3, "capability pointer");
            int where = raw & StandardCapability.POINTER_MASK;
            boolean[] visited = new boolean[ConfigSpace.CONVENTIONAL_SIZE];
            while (where != 0) {
                if (!cs.captured(where, 4)) {
                    findings.add(new Finding(Finding.Kind.TRUNCATED_IMAGE, CapabilitySpace.STANDARD, where, String.format(
                            "capability pointer 0x%02x reaches past the %d captured bytes", where, cs.length())));
                    break;
                }
                if (visited[where]) {
                    findings.add(new Finding(Finding.Kind.LOOP, CapabilitySpace.STANDARD, where,
                            String.format("chain loops back to 0x%02x", where)));
                    break;
                }
                visited[where] = true;
                int id = cs.u8(where + StandardCapability.ID);
                if (id == 0xFF) {
                    findings.add(new Finding(Finding.Kind.CHAIN_BROKEN, CapabilitySpace.STANDARD, where,
                            String.format("capability ID 0xff at 0x%02x: chain broken", where)));
                    break;
                }
                if (where < FIRST_STANDARD_OFFSET) {
                    findings.add(new Finding(Finding.Kind.POINTER_INTO_HEADER, CapabilitySpace.STANDARD, where,
                            String.format("capability at 0x%02x lies inside the 64-byte header", where)));
                }
                int rawNext = cs.u8(where + StandardCapability.NEXT);
                int next = rawNext & StandardCapability.POINTER_MASK;
                int at = where;
                int version = StandardCapability.byId(id).map(k -> k.version(cs, at)).orElse(Capability.NO_VERSION);
                rawStandard.add(new RawCapability(where, id, version, next));
                if (id == StandardCapability.PCI_EXPRESS.id() || id == StandardCapability.PCIX.id()) {
                    canHaveExtended = true;
                }
                noteUnaligned(CapabilitySpace.STANDARD, where, rawNext, 0x3, "next pointer");
                noteBackward(CapabilitySpace.STANDARD, where, next);
                where = next;
            }
            return canHaveExtended;
        }

        private void walkExtended() {
            if (!cs.hasExtendedSpace()) {
                findings.add(new Finding(Finding.Kind.EXTENDED_SPACE_MISSING, CapabilitySpace.EXTENDED,
                        FIRST_EXTENDED_OFFSET, "a PCI Express device, but only " + cs.length()
                                + " bytes were captured: extended space (0x100-0xfff) is not in this image"));
                return;
            }
            boolean[] visited = new boolean[ConfigSpace.EXTENDED_SIZE];
            int where = FIRST_EXTENDED_OFFSET;
            do {
                if (!cs.captured(where, 4)) {
                    findings.add(new Finding(Finding.Kind.TRUNCATED_IMAGE, CapabilitySpace.EXTENDED, where, String.format(
                            "extended pointer 0x%03x reaches past the %d captured bytes", where, cs.length())));
                    return;
                }
                int header = cs.u32(where);
                if (header == 0) {
                    if (where != FIRST_EXTENDED_OFFSET) {
                        findings.add(new Finding(Finding.Kind.ZERO_CAPABILITY_HEADER, CapabilitySpace.EXTENDED, where,
                                String.format("next pointer leads to an all-zero header at 0x%03x", where)));
                    }
                    return;
                }
                if (header == -1) {
                    findings.add(new Finding(Finding.Kind.CHAIN_BROKEN, CapabilitySpace.EXTENDED, where,
                            String.format("extended header at 0x%03x reads 0xffffffff: chain broken", where)));
                    return;
                }
                if (visited[where]) {
                    findings.add(new Finding(Finding.Kind.LOOP, CapabilitySpace.EXTENDED, where,
                            String.format("chain loops back to 0x%03x", where)));
                    return;
                }
                visited[where] = true;
                int next = ExtendedCapability.headerNext(header);
                rawExtended.add(new RawCapability(where, ExtendedCapability.headerId(header),
                        ExtendedCapability.headerVersion(header), next));
                noteUnaligned(CapabilitySpace.EXTENDED, where, header >>> ExtendedCapability.NEXT_SHIFT, 0x3,
                        "next offset");
                if (next != 0 && next < FIRST_EXTENDED_OFFSET) {
                    findings.add(new Finding(Finding.Kind.POINTER_OUT_OF_RANGE, CapabilitySpace.EXTENDED, where,
                            String.format("next offset 0x%03x at 0x%03x points below 0x100; the list ends here (as in"
                                    + " Linux)", next, where)));
                    return;
                }
                noteBackward(CapabilitySpace.EXTENDED, where, next);
                where = next;
            } while (where != 0);
        }

        private void noteUnaligned(CapabilitySpace space, int at, int raw, int reservedBits, String what) {
            if ((raw & reservedBits) != 0) {
                findings.add(new Finding(Finding.Kind.UNALIGNED_POINTER, space, at,
                        String.format("%s 0x%x at 0x%x has reserved low bits set; followed as 0x%x", what, raw, at,
                                raw & ~reservedBits)));
            }
        }

        private void noteBackward(CapabilitySpace space, int where, int next) {
            if (next != 0 && next < where) {
                findings.add(new Finding(Finding.Kind.BACKWARD_POINTER, space, where,
                        String.format("next pointer at 0x%x points back to 0x%x", where, next)));
            }
        }

        private CapabilityChain done(DeviceTraits traits) {
            List<Capability> standard = sized(CapabilitySpace.STANDARD, rawStandard, traits, ConfigSpace.CONVENTIONAL_SIZE);
            List<Capability> extended = sized(CapabilitySpace.EXTENDED, rawExtended, traits, ConfigSpace.EXTENDED_SIZE);
            checkOverlaps(CapabilitySpace.STANDARD, standard);
            checkOverlaps(CapabilitySpace.EXTENDED, extended);
            return new CapabilityChain(standard, extended, findings, traits);
        }

        /** Gives each capability its length; unknown sizes stop at the next capability above. */
        private List<Capability> sized(CapabilitySpace space, List<RawCapability> raws, DeviceTraits traits, int spaceEnd) {
            List<Capability> out = new ArrayList<>(raws.size());
            for (RawCapability raw : raws) {
                int length;
                boolean known;
                if (space == CapabilitySpace.EXTENDED && raw.id() == 0) {
                    length = 4; // a null capability (vfio's stub at 0x100) is its header
                    known = true;
                } else {
                    var kind = CapabilityKind.lookup(space, raw.id());
                    length = kind.map(k -> k.length(cs, raw.offset(), traits)).orElse(LengthRule.UNKNOWN);
                    known = length != LengthRule.UNKNOWN;
                    if (kind.isEmpty()) {
                        findings.add(new Finding(Finding.Kind.UNKNOWN_ID, space, raw.offset(), String.format(
                                "unknown %s capability ID 0x%x at 0x%x; its length is bounded by the next capability",
                                space.label(), raw.id(), raw.offset())));
                    }
                    if (!known) {
                        length = distanceToNext(raws, raw.offset(), spaceEnd);
                    } else if (length < headerSize(space)) {
                        length = headerSize(space); // a length field of 0 still has a header
                    }
                }
                if (raw.offset() + length > spaceEnd) {
                    findings.add(new Finding(Finding.Kind.EXTENDS_PAST_END, space, raw.offset(), String.format(
                            "%s at 0x%x is %d bytes long and runs past 0x%x", CapabilityKind.nameOf(space, raw.id()),
                            raw.offset(), length, spaceEnd)));
                } else if (!cs.captured(raw.offset(), length)) {
                    findings.add(new Finding(Finding.Kind.TRUNCATED_IMAGE, space, raw.offset(), String.format(
                            "%s at 0x%x (%d bytes) reaches past the %d captured bytes",
                            CapabilityKind.nameOf(space, raw.id()), raw.offset(), length, cs.length())));
                }
                out.add(new Capability(space, raw.offset(), raw.id(), raw.version(), length, known, raw.next()));
            }
            return out;
        }

        private static int headerSize(CapabilitySpace space) {
            return space == CapabilitySpace.STANDARD ? 2 : 4;
        }

        private static int distanceToNext(List<RawCapability> raws, int offset, int spaceEnd) {
            int bound = spaceEnd;
            for (RawCapability other : raws) {
                if (other.offset() > offset && other.offset() < bound) {
                    bound = other.offset();
                }
            }
            return bound - offset;
        }

        private void checkOverlaps(CapabilitySpace space, List<Capability> caps) {
            List<Capability> byOffset = new ArrayList<>(caps);
            // not Comparator.comparingInt: its serializable lambda is spun at run time, outside the AOT cache
            byOffset.sort((a, b) -> Integer.compare(a.offset(), b.offset()));
            for (int i = 1; i < byOffset.size(); i++) {
                Capability lower = byOffset.get(i - 1);
                Capability upper = byOffset.get(i);
                if (lower.end() > upper.offset()) {
                    findings.add(new Finding(Finding.Kind.OVERLAP, space, upper.offset(), String.format(
                            "%s at 0x%x (%d bytes, to 0x%x) overlaps %s at 0x%x", lower.name(), lower.offset(),
                            lower.length(), lower.end(), upper.name(), upper.offset())));
                }
            }
        }
    }
}
