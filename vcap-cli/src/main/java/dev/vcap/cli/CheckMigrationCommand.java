package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.vcap.cli.args.CommandDef;
import dev.vcap.cli.args.UsageException;
import dev.vcap.cli.args.Values;
import dev.vcap.host.HwInfo;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.migration.Admission;
import dev.vcap.vmm.migration.ContractCodec;
import dev.vcap.vmm.migration.ContractFormatException;
import dev.vcap.vmm.migration.LayoutContract;
import dev.vcap.vmm.placement.QuirkTable;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code vcap check-migration}: may a guest with this contract move to this device? */
final class CheckMigrationCommand extends Command {

    static final CommandDef<CheckMigrationCommand> DEF = CommandDef.of("check-migration", CheckMigrationCommand::new)
            .header("Admit or refuse a destination device against a contract.")
            .description(
                "Check a destination device against a source's layout contract: admitted,",
                "or refused with the first offending capability or byte and the rule it",
                "breaks. Nothing is written to the device; a tampered or malformed",
                "contract is refused with the reason.",
                "",
                "Rules (docs/CONTRACT.md): config size, identity, every passed-through",
                "capability at the same offset and version, synthesized capabilities clear",
                "of destination capabilities, quirk-forbidden ranges and non-zero bytes,",
                "destination PASID width at least the contract's and every Exec/Priv",
                "feature the guest was given, and every checked bit reproduced. A contract",
                "from plan --compat qemu is checked as QEMU 11.0 checks: its whole config",
                "space under the destination's own masks (get_pci_config_device).",
                "")
            .footer(
                "",
                "Examples:",
                "  vcap plan src.lspci --pasid --contract vm1.json",
                "  vcap check-migration vm1.json dst.lspci",
                "  vcap check-migration --host-pasid-width 16 vm1.json dst.lspci --json",
                "",
                "Exit codes: 0 admitted, 4 refused (including a tampered or malformed",
                "contract), 3 a file missing or unreadable, 2 usage. See docs/CLI.md.")
            .with(LiveRoots.OPTIONS, c -> c.roots)
            .param("CONTRACT", 1, 1, "The source's contract (JSON).",
                    (c, v) -> c.contractFile = Path.of(v))
            .param("DEST_FILE", 1, 1, "The destination device's dump, or the PCI address of a live function.",
                    (c, v) -> c.destination = Path.of(v))
            .option("--address", "BDF", "Which device of DEST_FILE (default: the first).",
                    (c, v) -> c.address = v)
            .option("--host-pasid-width", "N", "The destination host's PASID width (GET_HW_INFO with the vIOMMU's); default: a live"
                    + " destination's IOMMU_GET_HW_INFO, else the contract's.",
                    (c, v) -> c.hostPasidWidth = Values.toInt(v))
            .negatable("--host-exec", "The destination supports Execute PASID requests"
                    + " (default: a live destination's IOMMU_GET_HW_INFO, else as the contract).",
                    (c, on) -> c.hostExec = on)
            .negatable("--host-priv", "The destination supports Privileged PASID requests"
                    + " (default: a live destination's IOMMU_GET_HW_INFO, else as the contract).",
                    (c, on) -> c.hostPriv = on)
            .repeatable("--quirks", "FILE", "Quirk files the destination applies (repeatable).",
                    (c, v) -> c.quirks.add(Path.of(v)))
            .flag("--json", "Print the verdict as JSON (docs/JSON.md).", c -> c.json = true);

    final LiveRoots roots = new LiveRoots();
    Path contractFile;
    Path destination;
    String address;
    Integer hostPasidWidth;
    Boolean hostExec;
    Boolean hostPriv;
    final List<Path> quirks = new ArrayList<>();
    boolean json;

    /** The rule a destination breaks when vfio-pci would not bind it (a bridge): it cannot be assigned. */
    static final String NOT_ASSIGNABLE = "NOT_ASSIGNABLE";

    @Override
    Integer call() throws IOException {
        byte[] document;
        try {
            document = Files.readAllBytes(contractFile);
        } catch (NoSuchFileException e) {
            throw new BadInputException(contractFile + ": no such file");
        }
        DeviceImage dest = pick(readDestination());
        DumpFormatException incomplete = DeviceChecks.incomplete(dest);
        if (incomplete != null) {
            throw incomplete;
        }
        LayoutContract contract;
        try {
            contract = ContractCodec.read(document);
        } catch (ContractFormatException e) {
            return report(new Admission.Result.Refused(null, -1, "the contract cannot be trusted: " + e.getMessage()),
                    "CONTRACT_" + e.reason(), List.of());
        }
        String notAssignable = DeviceChecks.notAssignable(dest);
        if (notAssignable != null) {
            return report(new Admission.Result.Refused(null, Header.HEADER_TYPE, notAssignable), NOT_ASSIGNABLE,
                    List.of());
        }
        Admission.Result r = Admission.admit(contract, LiveViews.of(dest), admissionOptions(contract,
                LiveViews.hwInfo(dest), hostPasidWidth, hostExec, hostPriv, quirkTable(quirks)));
        return switch (r) {
            case Admission.Result.Admitted a -> report(r, null, a.actions());
            case Admission.Result.Refused f -> report(r, f.rule().name(), List.of());
        };
    }

    /**
     * The options admission runs with: the destination host's PASID support as given, else
     * IOMMU_GET_HW_INFO of a live destination ({@code live}, or null), else what the contract's PASID
     * needs (so the same device is admitted); the quirk tables; vcap's default hiding policy.
     * {@code vcap plan --contract} admits its own contract with these before writing it.
     */
    static Admission.Options admissionOptions(LayoutContract contract, HwInfo live, Integer hostPasidWidth,
            Boolean hostExec, Boolean hostPriv, QuirkTable quirks) {
        Integer width = hostPasidWidth != null ? hostPasidWidth : live == null ? null
                : Math.min(PasidSupport.MAX_WIDTH, live.maxPasidLog2());
        Boolean exec = hostExec != null ? hostExec : live == null ? null : live.has(HwInfo.CAP_PCI_PASID_EXEC);
        Boolean priv = hostPriv != null ? hostPriv : live == null ? null : live.has(HwInfo.CAP_PCI_PASID_PRIV);
        PasidSupport pasid = contract.synthesized(SyntheticCapability.PASID)
                .map(s -> new PasidSupport(width != null ? width : s.pasidWidth(),
                        exec != null ? exec : s.execute(), priv != null ? priv : s.privileged()))
                .orElse(new PasidSupport(width != null ? width : 0, Boolean.TRUE.equals(exec),
                        Boolean.TRUE.equals(priv)));
        return new Admission.Options(pasid, quirks, HidingPolicy.defaults());
    }

    /** The shipped quirk table extended by {@code files}, as the destination applies it. */
    static QuirkTable quirkTable(List<Path> files) {
        QuirkTable table = QuirkTable.shipped();
        for (Path q : files) {
            table = table.with(q);
        }
        return table;
    }

    /** The destination's devices: its dump, or the live function its address names. */
    private List<DeviceImage> readDestination() throws IOException {
        PciAddress live = DeviceInputs.address(destination);
        if (live == null || Files.exists(destination)) {
            return Dumps.readAll(destination);
        }
        try (var source = DeviceInputs.expand(List.of(destination), roots.host()).getFirst().open()) {
            List<DeviceImage> out = new ArrayList<>();
            source.forEachRemaining(out::add);
            return out;
        }
    }

    private DeviceImage pick(List<DeviceImage> devices) {
        if (address == null) {
            return devices.getFirst();
        }
        PciAddress a;
        try {
            a = PciAddress.parse(address);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--address: " + e.getMessage());
        }
        return devices.stream().filter(d -> d.address().equals(a)).findFirst().orElseThrow(() -> new BadInputException(
                destination + ": no device " + a));
    }

    /** A refusal as people read it: {@code (RULE at 0x03d): reason}. */
    static String refusal(String rule, Admission.Result.Refused refused) {
        return "(" + rule + (refused.offset() >= 0 ? String.format(" at 0x%03x", refused.offset()) : "") + "): "
                + refused.reason();
    }

    private int report(Admission.Result r, String rule, List<String> actions) throws IOException {
        boolean admitted = r instanceof Admission.Result.Admitted;
        Admission.Result.Refused refused = admitted ? null : (Admission.Result.Refused) r;
        if (json) {
            try (JsonGenerator g = new JsonFactory().createGenerator(main.rawOut(), JsonEncoding.UTF8)) {
                g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
                g.writeStartObject();
                g.writeBooleanField("admitted", admitted);
                g.writeStringField("contract", contractFile.toString());
                g.writeStringField("destination", destination.toString());
                if (refused != null) {
                    g.writeStringField("rule", rule);
                    g.writeNumberField("offset", refused.offset());
                    g.writeStringField("reason", refused.reason());
                }
                g.writeArrayFieldStart("actions");
                for (String a : actions) {
                    g.writeString(a);
                }
                g.writeEndArray();
                g.writeEndObject();
                g.writeRaw('\n');
            }
        } else {
            PrintWriter out = out();
            if (admitted) {
                out.println("admitted: " + destination + " reproduces the layout of " + contractFile);
                actions.forEach(a -> out.println("  " + a));
            } else {
                out.println("refused " + refusal(rule, refused));
            }
            out.flush();
        }
        return admitted ? ExitCodes.OK : ExitCodes.REFUSED;
    }
}
