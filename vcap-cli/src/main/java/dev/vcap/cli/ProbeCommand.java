package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.vcap.cli.args.CommandDef;
import dev.vcap.cli.args.UsageException;
import dev.vcap.linux.Feature;
import dev.vcap.linux.LinuxHost;
import dev.vcap.linux.PasidProbe;
import dev.vcap.linux.sysfs.PciFunction;
import dev.vcap.pci.config.PciAddress;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/** {@code vcap probe}: can this host pass a function's PASIDs through? Ask the kernel, step by step. */
final class ProbeCommand extends Command {

    static final CommandDef<ProbeCommand> DEF = CommandDef.of("probe", ProbeCommand::new)
            .header("Run a VMM's iommufd/vfio PASID sequence on one live function.")
            .inDeclarationOrder()
            .description(
                "Run, on one live function vfio-pci owns, the iommufd/vfio sequence a VMM",
                "runs for PASID passthrough, and print every step with the kernel's answer",
                "(errno names): bind, IOMMU_GET_HW_INFO, a PASID-flagged detach of a PASID",
                "nothing attached (tells a kernel with PASID attach from one without), IOAS",
                "and HWPT allocation with IOMMU_HWPT_ALLOC_PASID.",
                "",
                "With --attach it also maps one page, attaches the RID, attaches PASID 1,",
                "replaces its HWPT, detaches both and unmaps: these change the device's IOMMU",
                "state, so they run only when asked. Everything is undone in reverse order",
                "on every path; no object or descriptor is left behind. Functions vfio-pci",
                "does not own are refused untouched.",
                "")
            .footer(
                "",
                "Examples:",
                "  vcap probe 0000:03:00.0",
                "  vcap probe 03:00.0 --attach",
                "  vcap probe 03:00.0 --attach --json",
                "",
                "Exit codes: 0 PASID passthrough works (or, without --attach, should);",
                "4 it does not (the verdict says why: kernel, IOMMU or device); 3 the",
                "function does not exist or vfio-pci does not own it; 5 the probe could not",
                "run (no iommufd, no vfio device file, no permission, device busy). See",
                "docs/CLI.md, docs/JSON.md and docs/LINUX.md.")
            .param("ADDR", 1, 1, "The function: 0000:03:00.0 or 03:00.0.",
                    (c, v) -> c.address = v)
            .flag("--attach", "Also run the steps that change the device's IOMMU state (attach, replace, detach).", c -> c.attach = true)
            .flag("--json", "Print JSON (docs/JSON.md) instead of text.", c -> c.json = true)
            .with(LiveRoots.OPTIONS, c -> c.roots);

    String address;
    boolean attach;
    boolean json;
    final LiveRoots roots = new LiveRoots();

    @Override
    Integer call() throws IOException {
        PciAddress a;
        try {
            a = PciAddress.parse(address);
        } catch (IllegalArgumentException e) {
            throw new UsageException("ADDR: " + e.getMessage());
        }
        LinuxHost host = roots.host();
        PciFunction f = host.function(a).orElseThrow(() -> new BadInputException(a + ": no such PCI function on"
                + " this machine (" + host.sysRoot().resolve("bus/pci/devices") + ")"));
        if (!f.vfioOwned()) {
            throw new BadInputException(a + ": vfio-pci does not own it (driver: " + (f.driver() == null ? "none"
                    : f.driver()) + "); vcap probe touches only functions bound to vfio-pci (docs/LINUX.md says how"
                    + " to bind one)");
        }
        PasidProbe.Report r = PasidProbe.run(host, a, attach);
        if (json) {
            json(r);
        } else {
            text(out(), r);
        }
        if (!r.cleanedUp()) {
            err().println("vcap: the clean-up after the probe failed; see the last steps");
        }
        return switch (r.passthrough()) {
            case YES -> ExitCodes.OK;
            case NO -> ExitCodes.REFUSED;
            case UNKNOWN -> ExitCodes.UNAVAILABLE;
        };
    }

    private static void text(PrintWriter out, PasidProbe.Report r) {
        out.printf("probe %s (%s); steps that change IOMMU state: %s%n", r.address(),
                r.deviceFile() == null ? "no vfio device file" : r.deviceFile(),
                r.attach() ? "run (--attach)" : "not run (--attach runs them)");
        boolean cleanup = false;
        for (PasidProbe.Step s : r.steps()) {
            if (s.cleanup() && !cleanup) {
                out.println("  clean-up, in reverse order:");
                cleanup = true;
            }
            out.printf("  %-31s %-10s %s%n", s.name(), s.answer(), s.result());
            out.printf("  %-31s %s%s%n", "", s.call(), s.args().isEmpty() ? "" : " (" + s.args() + ")");
        }
        out.println("kernel features:");
        for (Feature f : List.of(r.pasidAttach(), r.allocPasid())) {
            out.printf("  %-17s %-8s %s%n", f.key(), f.status().label(), f.detail());
        }
        out.println("PASID passthrough of " + r.address() + ": " + r.passthrough().label() + " -- " + r.verdict());
        out.flush();
    }

    private void json(PasidProbe.Report r) throws IOException {
        JsonGenerator g = new JsonFactory().createGenerator(main.rawOut(), JsonEncoding.UTF8);
        g.writeStartObject();
        g.writeStringField("address", r.address().toString());
        g.writeStringField("deviceFile", r.deviceFile());
        g.writeBooleanField("attach", r.attach());
        g.writeArrayFieldStart("steps");
        for (PasidProbe.Step s : r.steps()) {
            g.writeStartObject();
            g.writeStringField("step", s.name());
            g.writeStringField("call", s.call());
            g.writeStringField("args", s.args());
            g.writeBooleanField("changesState", s.changesState());
            g.writeBooleanField("cleanup", s.cleanup());
            g.writeStringField("answer", s.answer());
            g.writeStringField("errno", s.errno() == null ? null : s.errno().name());
            g.writeStringField("result", s.result());
            g.writeEndObject();
        }
        g.writeEndArray();
        LinuxJson.hwInfo(g, r.hwInfo());
        LinuxJson.features(g, List.of(r.pasidAttach(), r.allocPasid()));
        g.writeStringField("pasidPassthrough", r.passthrough().label());
        g.writeStringField("verdict", r.verdict());
        g.writeBooleanField("cleanedUp", r.cleanedUp());
        g.writeEndObject();
        g.writeRaw('\n');
        g.flush();
    }
}
