package dev.vcap.cli;

import static dev.vcap.cli.Svg.esc;

import dev.vcap.cli.args.CommandDef;
import dev.vcap.pci.capability.Finding;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.dump.DeviceSource;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.vmm.placement.Decision;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code vcap report}: a picture of each device's guest-visible 4 KiB config space, as HTML with inline SVG. */
final class ReportCommand extends Command {

    static final CommandDef<ReportCommand> DEF = CommandDef.of("report", ReportCommand::new)
            .header("Draw each device's guest-visible config space as HTML.")
            .inDeclarationOrder()
            .description(
                "Draw each device's guest-visible config space (vfio-pci's view, default",
                "hiding policy, and the placement the plan options ask for) as one",
                "self-contained HTML page with inline SVG: capabilities coloured and",
                "labelled, synthesized ones outlined, hidden ones hatched, gaps, non-zero",
                "bytes in gaps, and the ranges matching quirks forbid. Without",
                "--pasid/--pri/--ats nothing is placed.",
                "")
            .footer(
                "",
                "Examples:",
                "  vcap report dsa.lspci --html dsa.html --pasid --pri --ats",
                "  vcap report dumps/ --html all.html",
                "",
                "Exit codes: 0 ok; 2 usage; 3 bad input; 4 a placement was refused (the",
                "page is still written and shows the refusal).")
            .param("FILE", 1, Integer.MAX_VALUE, "Dump files, directories, or PCI addresses of live functions.",
                    (c, v) -> c.files.add(Path.of(v)))
            .required("--html", "OUT", "The HTML file to write.",
                    (c, v) -> c.html = Path.of(v))
            .with(PlanOptions.OPTIONS, c -> c.placement)
            .with(LiveRoots.OPTIONS, c -> c.roots);

    final List<Path> files = new ArrayList<>();
    Path html;
    final PlanOptions placement = new PlanOptions();
    final LiveRoots roots = new LiveRoots();

    @Override
    Integer call() throws java.io.IOException {
        PlanSettings settings = placement.resolve();
        AtomicFile.checkWritable(html);
        List<DeviceInputs.DeviceInput> inputs = DeviceInputs.expand(files, roots.host());
        PrintWriter err = err();
        List<DevicePlan> plans = new ArrayList<>();
        List<DumpFormatException> errors = new ArrayList<>();
        for (DeviceInputs.DeviceInput input : inputs) {
            try (DeviceSource source = input.open()) {
                while (source.hasNext()) {
                    DeviceImage next = source.next();
                    if (DeviceChecks.usable(next, err, errors)) {
                        plans.add(DevicePlan.of(next, settings));
                    }
                }
            } catch (DumpFormatException e) {
                err.println("vcap: " + e.getMessage());
                errors.add(e);
            }
        }
        boolean refused = false;
        for (DevicePlan p : plans) {
            if (p.refused()) {
                refused = true;
                PlanText.refusals(p).lines().forEach(l -> err.println("vcap: refused: " + l));
            }
        }
        AtomicFile.write(html, render(plans, errors).getBytes(StandardCharsets.UTF_8));
        long refusals = plans.stream().filter(DevicePlan::refused).count();
        PrintWriter out = out();
        out.printf("report: %d device%s drawn, written to %s%s%s%n", plans.size(), plans.size() == 1 ? "" : "s", html,
                refusals == 0 ? "" : "; " + refusals + " refused", errors.isEmpty() ? ""
                        : "; " + errors.size() + " input" + (errors.size() == 1 ? "" : "s") + " could not be read");
        out.flush();
        err.flush();
        return !errors.isEmpty() ? ExitCodes.BAD_INPUT : refused ? ExitCodes.REFUSED : ExitCodes.OK;
    }

    static String render(List<DevicePlan> plans, List<DumpFormatException> errors) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>vcap report</title>\n<style>\n")
                .append("body{font-family:'DejaVu Sans',Arial,sans-serif;margin:20px;color:#222}\n")
                .append("h1{font-size:20px}h2{font-size:16px;margin:28px 0 4px}\n")
                .append(".dev{display:flex;gap:20px;align-items:flex-start}.dev svg{flex:none}\n")
                .append("td:nth-child(2){white-space:nowrap}\n")
                .append("table{border-collapse:collapse;font-size:11px}td,th{border:1px solid #ddd;padding:1px 5px;")
                .append("text-align:left;vertical-align:top}th{background:#eee}\n")
                .append(".sw{display:inline-block;width:12px;height:12px;border:1px solid #999;vertical-align:middle}\n")
                .append(".refused{color:#c62828;font-weight:bold}.placed{color:#2e7d32}.note{color:#555;font-size:12px}\n")
                .append("ul{margin:4px 0;font-size:12px}\n")
                .append("</style>\n</head>\n<body>\n<h1>vcap report: guest-visible config space</h1>\n")
                .append("<p class=\"note\">Built as a VMM builds it: vfio-pci's Linux 6.15 view (PASID and newer IDs"
                        + " hidden), then vcap's default hiding policy, then placement. Hover a cell for its owner.</p>\n");
        for (DevicePlan p : plans) {
            DeviceImage d = p.device();
            h.append(String.format("<h2>%s %s</h2>%n<p class=\"note\">from %s</p>%n", esc(d.address().toString()),
                    esc(DeviceTitle.described(d)), esc(d.origin())));
            h.append("<ul>\n");
            if (p.skipped() != null) {
                h.append("<li>nothing placed: ").append(esc(p.skipped())).append("</li>\n");
            }
            for (Finding f : p.physical().chain().findings()) {
                h.append("<li>chain finding: ").append(esc(f.toString())).append("</li>\n");
            }
            if (p.refusal() != null) {
                h.append("<li class=\"refused\">REFUSED: ").append(esc(p.refusal())).append("</li>\n");
            }
            if (p.plan() != null) {
                for (Decision dec : p.plan().decisions()) {
                    String where = dec.placed() ? String.format("0x%03x", dec.offset().getAsInt())
                            : dec.refused() ? "REFUSED" : "not exposed";
                    h.append(String.format("<li class=\"%s\">%s %s by %s: %s</li>%n", dec.unusable() ? "refused"
                            : dec.placed() ? "placed" : "", dec.capability(), where, esc(dec.policy()),
                            esc(dec.reason())));
                    dec.findings().forEach(f -> h.append(String.format("<li class=\"%s\">%s</li>%n",
                            f.isError() ? "refused" : "note", esc(f.toString()))));
                }
            }
            h.append("</ul>\n");
            if (p.vcs() == null) {
                continue;
            }
            h.append("<div class=\"dev\">\n");
            List<ConfigSpaceSvg.Region> legend = new ArrayList<>();
            h.append(ConfigSpaceSvg.render(p, legend));
            h.append("<table>\n<tr><th></th><th>range</th><th>what</th></tr>\n");
            for (ConfigSpaceSvg.Region r : legend) {
                String swatch = r.colour().equals("forbidden")
                        ? "<span class=\"sw\" style=\"background:repeating-linear-gradient(45deg,#fff 0 2px,#d32f2f 2px 4px)\"></span>"
                        : r.colour().startsWith("url(")
                        ? "<span class=\"sw\" style=\"background:repeating-linear-gradient(45deg,#e0e0e0 0 2px,#9e9e9e 2px 4px)\"></span>"
                        : "<span class=\"sw\" style=\"background:" + r.colour() + "\"></span>";
                h.append(String.format("<tr><td>%s</td><td>0x%03x-0x%03x</td><td>%s</td></tr>%n", swatch, r.start(),
                        r.end() - 1, esc(r.what())));
            }
            h.append("</table>\n</div>\n");
        }
        if (!errors.isEmpty()) {
            h.append("<h2>Inputs that could not be read</h2>\n<ul>\n");
            errors.forEach(e -> h.append("<li>").append(esc(e.getMessage())).append("</li>\n"));
            h.append("</ul>\n");
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }
}
