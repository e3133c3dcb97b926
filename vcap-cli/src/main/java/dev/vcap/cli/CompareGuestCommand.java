package dev.vcap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vcap.cli.args.CommandDef;
import dev.vcap.cli.args.UsageException;
import dev.vcap.guest.ConfigPort;
import dev.vcap.guest.GuestPciDev;
import dev.vcap.guest.IntelIommuDriver;
import dev.vcap.guest.RecordingConfigPort;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.synth.Synthesizers;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code vcap compare-guest}: what a real guest saw of a served device against vcap's prediction
 * and vcap's guest model (docs/VFIO-USER.md). Used by guest/harness.sh.
 */
final class CompareGuestCommand extends Command {

    static final CommandDef<CompareGuestCommand> DEF = CommandDef.of("compare-guest", CompareGuestCommand::new)
            .header("Compare what a real guest saw with vcap's prediction.")
            .inDeclarationOrder()
            .description(
                "Compare what a real Linux guest saw of a device served with 'vcap serve'",
                "(its lspci -vvv -xxxx, its kernel log, the server's --json events) with",
                "what vcap predicts for the same dump and options: the guest's capability",
                "chain and bytes against 'vcap plan --emit', the PASID/ATS/PRI enables of",
                "its IOMMU driver against vcap's guest model; with --after (a second",
                "lspci after adversarial writes or a migration), which read-only bits",
                "changed and whether the guest still found its capabilities.",
                "",
                "Prints one 'pass:' or 'FAIL:' line per check (explained differences are",
                "listed under it). Exit codes: 0 every check passed; 4 a check failed;",
                "3 bad input; 2 usage.",
                "")
            .param("DUMP", 1, 1, "The dump 'vcap serve' served.",
                    (c, v) -> c.dump = Path.of(v))
            .with(PlanOptions.OPTIONS, c -> c.placement)
            .required("--guest", "FILE", "The guest's lspci -vvv -xxxx of the device after probe.",
                    (c, v) -> c.guest = Path.of(v))
            .option("--after", "FILE", "The guest's lspci -vvv -xxxx after adversarial writes or a migration.",
                    (c, v) -> c.after = Path.of(v))
            .required("--events", "FILE", "vcap serve --json output.",
                    (c, v) -> c.events = Path.of(v))
            .required("--dmesg", "FILE", "The guest's kernel log.",
                    (c, v) -> c.dmesg = Path.of(v))
            .option("--mode", "MODE", "probe (default), adversarial or migrate.",
                    (c, v) -> c.mode = v);

    Path dump;
    final PlanOptions placement = new PlanOptions();
    Path guest;
    Path after;
    Path events;
    Path dmesg;
    String mode = "probe";

    private PrintWriter out;
    private int failed;

    @Override
    Integer call() throws IOException {
        out = out();
        PlanSettings settings = placement.resolve();
        DeviceImage image = Dumps.readAll(dump).getFirst();
        DevicePlan plan = DevicePlan.of(image, settings);
        ConfigSpace predicted = plan.guestImage();
        ConfigSpace seen = lspci(guest);
        List<JsonNode> log = events();
        BitSet written = written(log, true);
        switch (mode) {
            case "probe" -> {
                chain("the guest's capability chain is the predicted one", predicted, seen);
                bytes(predicted, seen, written);
                model(plan, log);
            }
            case "adversarial" -> {
                ConfigSpace later = lspci(require(after));
                check(!log.isEmpty() && "stopped".equals(log.getLast().path("event").asText()),
                        "the server stayed up through " + written(log, false).cardinality() + " written bytes and"
                                + " stopped when QEMU left", "the server's log does not end with its stop");
                chain("after the writes the chain is unchanged", seen, later);
                readOnly(DevicePlan.of(image, settings).vcs(), log, seen, later);
                backing(DevicePlan.of(image, settings).vcs(), log);
            }
            case "migrate" -> {
                ConfigSpace later = lspci(require(after));
                migration(log, seen, later);
            }
            default -> throw new UsageException("--mode " + mode + ": expected probe, adversarial or migrate");
        }
        out.flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.REFUSED;
    }

    private Path require(Path p) {
        if (p == null) {
            throw new UsageException("--mode " + mode + " needs --after");
        }
        return p;
    }

    private void check(boolean ok, String pass, String fail) {
        if (ok) {
            out.println("pass: " + pass);
        } else {
            out.println("FAIL: " + fail);
            failed++;
        }
    }

    // ------------------------------------------------------------------ prediction

    private record Entry(String space, int offset, int id, int version) {
        @Override
        public String toString() {
            return String.format("%s 0x%03x id 0x%02x v%d", space, offset, id, version);
        }
    }

    private static List<Entry> entries(ConfigSpace cs) {
        return CapabilityChain.walk(cs).all().map(c -> new Entry(c.space().name().toLowerCase(), c.offset(), c.id(),
                c.version())).toList();
    }

    private void chain(String what, ConfigSpace expected, ConfigSpace actual) {
        List<Entry> e = entries(expected);
        List<Entry> a = entries(actual);
        check(e.equals(a), what + ": " + a.size() + " capabilities, " + a.stream().map(x -> String.format("0x%03x",
                x.offset())).collect(Collectors.joining(" ")), what.replaceFirst(":.*", "") + " differs: expected " + e
                        + ", found " + a);
    }

    /**
     * Byte by byte: a difference is allowed where the guest wrote the byte, or where QEMU's vfio-pci
     * emulates the register itself (each explained with the QEMU function that does it).
     */
    private void bytes(ConfigSpace predicted, ConfigSpace seen, BitSet written) {
        Map<String, List<Integer>> explained = new TreeMap<>();
        List<Integer> unexplained = new ArrayList<>();
        int exp = pcieCap(predicted);
        int type = exp == 0 ? -1 : predicted.u16(exp + 2) >>> 4 & 0xF;
        for (int b = 0; b < Math.min(predicted.length(), seen.length()); b++) {
            if (predicted.u8(b) == seen.u8(b)) {
                continue;
            }
            String why = qemuEmulates(b, exp, type, predicted);
            if (why == null && written.get(b)) {
                why = "written by the guest";
            }
            if (why == null) {
                unexplained.add(b);
            } else {
                explained.computeIfAbsent(why, k -> new ArrayList<>()).add(b);
            }
        }
        check(unexplained.isEmpty(), "the guest's bytes are the predicted ones, "
                + explained.values().stream().mapToInt(List::size).sum() + " explained differences",
                unexplained.size() + " bytes differ from the prediction without explanation: " + unexplained.stream()
                        .limit(24).map(b -> String.format("0x%03x %02x->%02x", b, predicted.u8(b), seen.u8(b)))
                        .collect(Collectors.joining(", ")));
        explained.forEach((why, offsets) -> out.println("  " + offsets.size() + " bytes " + ranges(offsets) + ": "
                + why));
    }

    /** Why QEMU's vfio-pci (hw/vfio/pci.c) shows the guest another value at byte {@code b}, or null. */
    static String qemuEmulates(int b, int exp, int type, ConfigSpace predicted) {
        if (b >= Header.BAR0 && b < Header.BAR0 + 24 || b >= Header.ROM_ADDRESS_TYPE0 && b < Header.ROM_ADDRESS_TYPE0
                + 4) {
            return "BARs and ROM: QEMU emulates them and the guest's firmware assigns them"
                    + " (vfio_pci_config_setup, vfio_bars_register)";
        }
        if (b == Header.HEADER_TYPE) {
            return "Header Type's multi-function bit: QEMU emulates it from the device's own multifunction"
                    + " property (vfio_pci_config_setup)";
        }
        for (Capability c : CapabilityChain.walk(predicted).standard()) {
            if ((c.is(StandardCapability.MSI) || c.is(StandardCapability.MSIX)) && b >= c.offset() + 2
                    && b < c.offset() + c.length()) {
                return "MSI and MSI-X: QEMU emulates them from the device's flags, Enable clear until the guest"
                        + " enables them (vfio_msi_setup, vfio_msix_setup)";
            }
        }
        if (exp != 0 && type == 9 && (b >= exp + 2 && b < exp + 4 || b >= exp + 0x0c && b < exp + 0x14)) {
            return "a Root Complex integrated endpoint behind a root port: QEMU reports an endpoint and makes up"
                    + " Link Capabilities/Control/Status (vfio_setup_pcie_cap)";
        }
        return null;
    }

    private static int pcieCap(ConfigSpace cs) {
        return CapabilityChain.walk(cs).find(StandardCapability.PCI_EXPRESS).map(Capability::offset).orElse(0);
    }

    // ------------------------------------------------------------------ model

    /**
     * vcap's guest model on the same config space (a port over a fresh VirtualConfigSpace, so its
     * writes meet the same masks) with the VT-d driver the guest ran, against what the real guest
     * wrote to the PASID, ATS and PRI control registers.
     */
    private void model(DevicePlan fresh, List<JsonNode> log) throws IOException {
        VirtualConfigSpace vcs = fresh.vcs();
        RecordingConfigPort port = new RecordingConfigPort(new ConfigPort() {
            @Override
            public int read(int offset, int width) {
                return vcs.read(offset, width);
            }

            @Override
            public void write(int offset, int width, int value) {
                vcs.write(offset, width, value);
            }
        });
        GuestPciDev dev = GuestPciDev.probe(port);
        port.clear();
        IntelIommuDriver driver = IntelIommuDriver.fromDmesg(Files.readString(dmesg, StandardCharsets.ISO_8859_1));
        List<IntelIommuDriver.Step> steps = driver.probeAndAttach(dev);
        Map<Integer, String> controls = new TreeMap<>();
        if (dev.pasidCap() != 0) {
            controls.put(dev.pasidCap() + Synthesizers.PASID_CONTROL, "PASID Control");
        }
        if (dev.atsCap() != 0) {
            controls.put(dev.atsCap() + Synthesizers.ATS_CONTROL, "ATS Control");
        }
        if (dev.priCap() != 0) {
            controls.put(dev.priCap() + Synthesizers.PRI_CONTROL, "PRI Control");
        }
        List<String> modelWrites = port.writes().stream().filter(w -> controls.containsKey(w.offset()))
                .map(w -> String.format("%s@0x%03x=0x%04x", controls.get(w.offset()), w.offset(), w.value())).toList();
        List<String> guestWrites = log.stream().filter(e -> "config-write".equals(e.path("event").asText())
                && controls.containsKey(e.path("offset").asInt())).map(e -> String.format("%s@0x%03x=0x%04x",
                        controls.get(e.path("offset").asInt()), e.path("offset").asInt(), e.path("value").asInt()))
                .toList();
        out.println("  model: " + dev.cachedOffsets() + "; VT-d ecap 0x" + Long.toHexString(driver.ecap()) + ": "
                + steps);
        check(modelWrites.equals(guestWrites), "the guest's IOMMU driver enabled what the model enables, in order: "
                + guestWrites, "the guest wrote " + guestWrites + "; the model writes " + modelWrites);
        List<Integer> eventCaps = log.stream().filter(e -> "vmm".equals(e.path("event").asText()))
                .map(e -> e.path("capabilityOffset").asInt()).distinct().sorted().toList();
        List<Integer> modelCaps = new ArrayList<>();
        for (int off : List.of(dev.pasidCap(), dev.atsCap(), dev.priCap())) {
            if (off != 0 && eventCaps.contains(off)) {
                modelCaps.add(off);
            }
        }
        modelCaps.sort(null);
        check(eventCaps.equals(modelCaps), "the guest found its capabilities where the model finds them: "
                + hex(eventCaps), "the guest's writes landed in capabilities at " + hex(eventCaps)
                        + "; the model caches pasid " + hex(List.of(dev.pasidCap())) + " ats " + hex(List.of(
                                dev.atsCap())) + " pri " + hex(List.of(dev.priCap())));
    }

    // ------------------------------------------------------------------ adversarial

    /**
     * Bits vcap serves read-only (neither guest-writable, write-1-to-clear nor forwarded) must read,
     * after the guest's writes, what vcap's own model reads after the same writes (replayed on a
     * fresh config space): unchanged, except status bits the VMM derives from a control bit (PRI
     * Stopped). QEMU's own registers (BARs, ROM, MSI and MSI-X, emulated from what it read at
     * realize) are left out.
     */
    private void readOnly(VirtualConfigSpace model, List<JsonNode> log, ConfigSpace before, ConfigSpace later) {
        BitSet qemu = new BitSet();
        qemu.set(Header.BAR0, Header.BAR0 + 24);
        qemu.set(Header.ROM_ADDRESS_TYPE0, Header.ROM_ADDRESS_TYPE0 + 4);
        qemu.set(Header.HEADER_TYPE);
        for (Capability c : CapabilityChain.walk(before).standard()) {
            if (c.is(StandardCapability.MSI) || c.is(StandardCapability.MSIX)) {
                qemu.set(c.offset(), c.offset() + c.length());
            }
        }
        int exp = pcieCap(before);
        int type = exp == 0 ? -1 : model.read(exp + 2, 2) >>> 4 & 0xF;
        for (int b = 0; b < model.size(); b++) {
            if (qemuEmulates(b, exp, type, before) != null) {
                qemu.set(b);
            }
        }
        VirtualConfigSpace.BitMasks[] masks = new VirtualConfigSpace.BitMasks[model.size()];
        for (int b = 0; b < masks.length; b++) {
            masks[b] = model.masks(b);
        }
        for (JsonNode e : log) {
            if ("config-write".equals(e.path("event").asText())) {
                model.write(e.path("offset").asInt(), e.path("width").asInt(), (int) e.path("value").asLong());
            }
        }
        ConfigSpace replayed = model.guestImage();
        List<String> changed = new ArrayList<>();
        List<String> derived = new ArrayList<>();
        int checkedBits = 0;
        for (int b = 0; b < masks.length; b++) {
            if (qemu.get(b)) {
                continue;
            }
            int ro = ~(masks[b].writable() | masks[b].w1c() | masks[b].forward()) & 0xFF;
            checkedBits += Integer.bitCount(ro);
            if (((later.u8(b) ^ replayed.u8(b)) & ro) != 0) {
                changed.add(String.format("0x%03x %02x->%02x (vcap's model: %02x, read-only bits %02x)", b,
                        before.u8(b), later.u8(b), replayed.u8(b), ro));
            } else if (((before.u8(b) ^ later.u8(b)) & ro) != 0) {
                derived.add(String.format("0x%03x %02x->%02x", b, before.u8(b), later.u8(b)));
            }
        }
        check(changed.isEmpty(), "every read-only bit reads what vcap's model reads after the same writes ("
                + checkedBits + " bits checked; what QEMU emulates itself is left out)", changed.size()
                        + " bytes changed read-only bits: " + changed.stream().limit(16)
                                .collect(Collectors.joining(", ")));
        if (!derived.isEmpty()) {
            out.println("  status bits the VMM derives from control bits the guest wrote: " + derived);
        }
    }

    /** Every write that reached the device's image carried only bits the write policy forwards. */
    private void backing(VirtualConfigSpace vcs, List<JsonNode> log) {
        List<String> bad = new ArrayList<>();
        int count = 0;
        for (JsonNode e : log) {
            if (!"backing-write".equals(e.path("event").asText())) {
                continue;
            }
            count++;
            int off = e.path("offset").asInt();
            int width = e.path("width").asInt();
            long value = e.path("value").asLong();
            for (int i = 0; i < width; i++) {
                int byteValue = (int) (value >>> (8 * i)) & 0xFF;
                int fwd = vcs.masks(off + i).forward();
                int hwKeep = ~fwd & 0xFF;
                if ((byteValue & ~fwd & 0xFF) != 0 && (byteValue & hwKeep) != (vcs.read(off + i, 1) & hwKeep)) {
                    bad.add(String.format("0x%03x", off + i));
                }
            }
        }
        check(bad.isEmpty(), "the device image saw " + count + " writes, each within the write policy's forward"
                + " bits", "writes reached the device outside the forward bits at " + bad);
    }

    // ------------------------------------------------------------------ migration

    private void migration(List<JsonNode> log, ConfigSpace before, ConfigSpace later) {
        List<JsonNode> migrations = log.stream().filter(e -> "migration".equals(e.path("event").asText())).toList();
        check(migrations.stream().anyMatch(e -> !e.path("admitted").asBoolean()), "a refused destination was refused: "
                + migrations.stream().filter(e -> !e.path("admitted").asBoolean()).map(e -> e.path("rule").asText())
                        .toList(), "no destination was refused");
        int admittedAt = -1;
        for (int i = 0; i < log.size(); i++) {
            if ("migration".equals(log.get(i).path("event").asText()) && log.get(i).path("admitted").asBoolean()) {
                admittedAt = i;
            }
        }
        check(admittedAt >= 0, "the destination was admitted and served in place", "no migration was admitted");
        chain("after the migration and a reset the guest still walks the same chain", before, later);
        List<Integer> beforeCaps = vmmCaps(log.subList(0, Math.max(admittedAt, 0)));
        List<Integer> afterCaps = vmmCaps(log.subList(Math.max(admittedAt, 0), log.size()));
        check(admittedAt >= 0 && !afterCaps.isEmpty() && beforeCaps.containsAll(afterCaps),
                "after the migration the guest's restores wrote through its cached offsets " + hex(afterCaps)
                        + " and found its capabilities there", "after the migration the guest wrote to " + hex(afterCaps)
                        + "; before it used " + hex(beforeCaps));
    }

    private static List<Integer> vmmCaps(List<JsonNode> log) {
        return log.stream().filter(e -> "vmm".equals(e.path("event").asText()) && !"flr".equals(e.path("kind")
                .asText())).map(e -> e.path("capabilityOffset").asInt()).distinct().sorted().toList();
    }

    // ------------------------------------------------------------------ inputs

    private List<JsonNode> events() throws IOException {
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(events, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(m.readTree(line));
            }
        }
        return out;
    }

    /** Bytes the guest wrote (config-write events): all of them, or only those before a migration. */
    private static BitSet written(List<JsonNode> log, boolean untilMigration) {
        BitSet b = new BitSet();
        for (JsonNode e : log) {
            if (untilMigration && "migration".equals(e.path("event").asText())) {
                break;
            }
            if ("config-write".equals(e.path("event").asText())) {
                int off = e.path("offset").asInt();
                b.set(off, off + e.path("width").asInt());
            }
        }
        return b;
    }

    private static ConfigSpace lspci(Path file) throws IOException {
        List<DeviceImage> devices = Dumps.readAll(file);
        if (devices.isEmpty()) {
            throw new BadInputException(file + ": no device in the guest's lspci output");
        }
        return devices.getFirst().config();
    }

    private static String hex(List<Integer> offsets) {
        return offsets.stream().map(o -> String.format("0x%03x", o)).collect(Collectors.joining(" ", "[", "]"));
    }

    private static String ranges(List<Integer> offsets) {
        List<String> parts = new ArrayList<>();
        int start = offsets.getFirst();
        int prev = start;
        for (int i = 1; i <= offsets.size(); i++) {
            if (i < offsets.size() && offsets.get(i) == prev + 1) {
                prev = offsets.get(i);
                continue;
            }
            parts.add(start == prev ? String.format("0x%03x", start) : String.format("0x%03x-0x%03x", start, prev));
            if (i < offsets.size()) {
                start = prev = offsets.get(i);
            }
        }
        return String.join(",", parts);
    }
}
