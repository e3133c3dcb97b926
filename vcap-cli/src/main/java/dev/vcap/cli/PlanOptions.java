package dev.vcap.cli;

import dev.vcap.cli.args.OptionSet;
import dev.vcap.cli.args.UsageException;
import dev.vcap.cli.args.Values;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.pci.occupancy.ByteRange;
import dev.vcap.vmm.placement.ByteRanges;
import dev.vcap.vmm.placement.LayoutFile;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.QuirkTable;
import dev.vcap.vmm.placement.SyntheticCapability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The placement options {@code vcap plan} and {@code vcap report} share (docs/CLI.md): what to
 * synthesize, the policy chain's inputs, and the values of the synthesized registers.
 */
final class PlanOptions {

    static final OptionSet.Group<PlanOptions> OPTIONS = OptionSet.<PlanOptions>group()
            .flag("--pasid", "Synthesize a PASID capability.", o -> o.pasid = true)
            .flag("--pri", "Synthesize a PRI capability (replacing the device's own).", o -> o.pri = true)
            .flag("--ats", "Synthesize an ATS capability (replacing the device's own).", o -> o.ats = true)
            .option("--pasid-offset", "HEX", "Put PASID here (validated; refused, never moved, when it collides).",
                    (o, v) -> o.pasidOffset = hex(v))
            .option("--pri-offset", "HEX", "Put PRI here.", (o, v) -> o.priOffset = hex(v))
            .option("--ats-offset", "HEX", "Put ATS here.", (o, v) -> o.atsOffset = hex(v))
            .option("--layout", "FILE", "An operator's layout file (docs/LAYOUT.md) for the devices it matches.",
                    (o, v) -> o.layout = Path.of(v))
            .option("--free", "RANGES", "Declared free ranges, e.g. 0xd00-0xdff,0xf00-0xfff (inclusive ends).",
                    (o, v) -> o.free = v)
            .repeatable("--quirks", "FILE",
                    "A quirk table extending the shipped one (repeatable; later files win on equal ids).",
                    (o, v) -> o.quirks.add(Path.of(v)))
            .flag("--no-shipped-quirks", "Leave out the quirk table shipped with vcap (only --quirks files apply).",
                    o -> o.noShippedQuirks = true)
            .option("--pf", "FILE", "The PF's dump: each device is one of its VFs (VF mirroring, PASID/PRI defaults).",
                    (o, v) -> o.pf = Path.of(v))
            .flag("--vf", "Each device is a PF with SR-IOV: plan its first VF, derived from it as vcap's simulated"
                    + " host derives VFs (docs/HOST.md), with the PF as --pf.", o -> o.vf = true)
            .flag("--no-gap-search", "Do not let the automatic gap search place anything.", o -> o.noGapSearch = true)
            .option("--compat", "MODE",
                    "vcap (default) or qemu: predict QEMU 11.0's vPASID, faults included (docs/PLACEMENT.md).",
                    (o, v) -> o.compat = compat(v))
            .option("--pasid-width", "N",
                    "PASID width the host and vIOMMU offer, 1..20 (default 20; never above the physical one).",
                    (o, v) -> o.pasidWidth = Values.toInt(v))
            .negatable("--exec", "Offer Execute Permission (default: as the physical PASID; off without one).",
                    (o, on) -> o.exec = on)
            .negatable("--priv", "Offer Privileged Mode (default: as the physical PASID; off without one).",
                    (o, on) -> o.priv = on)
            .option("--pri-capacity", "N", "PRI Outstanding Page Request Capacity (default: the physical PRI's, else 512).",
                    (o, v) -> o.priCapacity = Values.toLong(v))
            .option("--ats-queue-depth", "N",
                    "ATS Invalidate Queue Depth, 0..31, 0 meaning 32 (default: the physical ATS's, else 0).",
                    (o, v) -> o.atsQueueDepth = Values.toInt(v));

    boolean pasid;
    boolean pri;
    boolean ats;
    Integer pasidOffset;
    Integer priOffset;
    Integer atsOffset;
    Path layout;
    String free;
    final List<Path> quirks = new ArrayList<>();
    boolean noShippedQuirks;
    Path pf;
    boolean vf;
    boolean noGapSearch;
    PlacementOptions.Compat compat = PlacementOptions.Compat.VCAP;
    Integer pasidWidth;
    Boolean exec;
    Boolean priv;
    Long priCapacity;
    Integer atsQueueDepth;

    /** Whether any capability was asked for. */
    boolean anyRequested() {
        return pasid || pri || ats;
    }

    /**
     * Checks the combinations and loads every file, once for all devices.
     *
     * @throws UsageException for conflicting or out-of-range options (exit 2)
     * @throws dev.vcap.vmm.files.FileFormatException for a bad quirk or layout file (exit 3)
     * @throws BadInputException for a bad PF dump (exit 3)
     */
    PlanSettings resolve() {
        checkCombinations();
        Map<SyntheticCapability, Integer> explicit = new EnumMap<>(SyntheticCapability.class);
        if (pasidOffset != null) {
            explicit.put(SyntheticCapability.PASID, pasidOffset);
        }
        if (priOffset != null) {
            explicit.put(SyntheticCapability.PRI, priOffset);
        }
        if (atsOffset != null) {
            explicit.put(SyntheticCapability.ATS, atsOffset);
        }
        List<ByteRange> ranges = List.of();
        if (free != null) {
            try {
                ranges = ByteRanges.parse(free);
            } catch (IllegalArgumentException e) {
                throw usage("--free: " + e.getMessage());
            }
        }
        QuirkTable table = noShippedQuirks ? QuirkTable.empty() : QuirkTable.shipped();
        for (Path q : quirks) {
            table = table.with(q);
        }
        LayoutFile layoutFile = layout == null ? null : LayoutFile.load(layout);
        DeviceImage pfImage = pf == null ? null : readPf(pf);
        PlacementOptions options = new PlacementOptions(explicit, layoutFile, ranges, table,
                pfImage == null ? null : pfImage.config(), !noGapSearch, compat);
        List<SyntheticCapability> requested = new ArrayList<>();
        if (pasid) {
            requested.add(SyntheticCapability.PASID);
        }
        if (pri) {
            requested.add(SyntheticCapability.PRI);
        }
        if (ats) {
            requested.add(SyntheticCapability.ATS);
        }
        return new PlanSettings(requested, options, pfImage, pasidWidth, exec, priv, priCapacity, atsQueueDepth, vf);
    }

    private void checkCombinations() {
        if (compat == PlacementOptions.Compat.QEMU) {
            List<String> vcapOnly = new ArrayList<>();
            addIf(vcapOnly, pri, "--pri");
            addIf(vcapOnly, ats, "--ats");
            addIf(vcapOnly, priOffset != null, "--pri-offset");
            addIf(vcapOnly, atsOffset != null, "--ats-offset");
            addIf(vcapOnly, layout != null, "--layout");
            addIf(vcapOnly, free != null, "--free");
            addIf(vcapOnly, !quirks.isEmpty(), "--quirks");
            addIf(vcapOnly, noGapSearch, "--no-gap-search");
            if (!vcapOnly.isEmpty()) {
                throw usage("--compat qemu reproduces QEMU 11.0, which synthesizes only PASID at 0xff8 or"
                        + " --pasid-offset and has no policy chain; it cannot be combined with "
                        + String.join(", ", vcapOnly));
            }
            if (pasidWidth != null || exec != null || priv != null) {
                throw usage("--compat qemu: QEMU 11.0 gives the guest the host's PASID width, Exec and Priv unchanged"
                        + " (hiod_iommufd_get_pasid_info); --pasid-width, --exec and --priv describe a vIOMMU it does"
                        + " not consult for them");
            }
        }
        if (vf && pf != null) {
            throw usage("--vf takes each device as its own VFs' PF; --pf names the PF of VF dumps: give one of them");
        }
        requireFor(pasidOffset != null, pasid, "--pasid-offset", "--pasid");
        requireFor(priOffset != null, pri, "--pri-offset", "--pri");
        requireFor(atsOffset != null, ats, "--ats-offset", "--ats");
        requireFor(pasidWidth != null || exec != null || priv != null, pasid, "--pasid-width, --exec and --priv",
                "--pasid");
        requireFor(priCapacity != null, pri, "--pri-capacity", "--pri");
        requireFor(atsQueueDepth != null, ats, "--ats-queue-depth", "--ats");
        if (pasidWidth != null && (pasidWidth < 1 || pasidWidth > 20)) {
            throw usage("--pasid-width " + pasidWidth + ": expected 1..20 (a width of 0 means no PASID: leave out"
                    + " --pasid)");
        }
        if (priCapacity != null && (priCapacity < 0 || priCapacity > 0xFFFF_FFFFL)) {
            throw usage("--pri-capacity " + priCapacity + ": expected 0..4294967295");
        }
        if (atsQueueDepth != null && (atsQueueDepth < 0 || atsQueueDepth > 31)) {
            throw usage("--ats-queue-depth " + atsQueueDepth + ": expected 0..31 (0 means 32)");
        }
    }

    private static void addIf(List<String> list, boolean condition, String name) {
        if (condition) {
            list.add(name);
        }
    }

    private void requireFor(boolean given, boolean requested, String option, String capability) {
        if (given && !requested) {
            throw usage(option + " without " + capability + ": nothing to apply it to");
        }
    }

    private static UsageException usage(String message) {
        return new UsageException(message);
    }

    private static DeviceImage readPf(Path file) {
        if (!java.nio.file.Files.exists(file)) {
            throw new BadInputException(file + ": no such file (--pf)");
        }
        List<DeviceImage> devices;
        try {
            devices = Dumps.readAll(file);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException(file + ": cannot read: " + e.getMessage(), e));
        }
        if (devices.size() != 1) {
            throw new BadInputException(file + ": --pf holds " + devices.size() + " devices; expected the one PF");
        }
        return devices.get(0);
    }

    /** {@code 0x230} or {@code 230}, as hex. */
    static int hex(String value) {
        String t = value.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("0x")) {
            t = t.substring(2);
        }
        if (!t.matches("[0-9a-f]{1,4}")) {
            throw new IllegalArgumentException("'" + value + "' is not a config-space offset; expected hex such as 0x230");
        }
        return Integer.parseInt(t, 16);
    }

    /** {@code vcap} or {@code qemu}. */
    static PlacementOptions.Compat compat(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "vcap" -> PlacementOptions.Compat.VCAP;
            case "qemu" -> PlacementOptions.Compat.QEMU;
            default -> throw new IllegalArgumentException("'" + value + "': expected vcap or qemu");
        };
    }
}
