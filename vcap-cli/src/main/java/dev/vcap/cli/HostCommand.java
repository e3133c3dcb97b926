package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.vcap.cli.args.CommandDef;
import dev.vcap.host.HostException;
import dev.vcap.host.HwInfo;
import dev.vcap.linux.Feature;
import dev.vcap.linux.KernelFeatures;
import dev.vcap.linux.LinuxHost;
import dev.vcap.linux.LinuxIommufd;
import dev.vcap.linux.LinuxVfioDevice;
import dev.vcap.linux.PasidProbe;
import dev.vcap.linux.sysfs.PciFunction;
import dev.vcap.pci.config.PciAddress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** {@code vcap host}: the functions vfio-pci owns on this machine and what the kernel can do for them. */
final class HostCommand extends Command {

    static final CommandDef<HostCommand> DEF = CommandDef.of("host", HostCommand::new)
            .header("List vfio-pci's functions and the kernel's PASID features.")
            .inDeclarationOrder()
            .description(
                "List the PCI functions vfio-pci owns on this machine -- address, IDs, IOMMU",
                "group, PF or VF, vfio device file, and IOMMU_GET_HW_INFO (the IOMMU type, the",
                "PASID width, Exec/Priv) -- and the kernel features PASID passthrough needs:",
                "iommufd, vfio device files, vfio PASID attach and IOMMU_HWPT_ALLOC_PASID,",
                "each found by trying it, never from the version string.",
                "",
                "Reading GET_HW_INFO opens and binds each function as a VMM does (vfio-pci",
                "resets a function when it is first opened); nothing is attached. Needs root",
                "(or access to /dev/iommu and /dev/vfio). How to bind a function to vfio-pci:",
                "docs/LINUX.md.",
                "")
            .footer(
                "",
                "Examples:",
                "  vcap host",
                "  vcap host --json",
                "",
                "Exit codes: 0 at least one function is bound to vfio-pci; 5 none is, or",
                "this kernel has no vfio (the output says what is missing). See",
                "docs/CLI.md, docs/JSON.md and docs/LINUX.md.")
            .flag("--json", "Print JSON (docs/JSON.md) instead of text.", c -> c.json = true)
            .with(LiveRoots.OPTIONS, c -> c.roots);

    boolean json;
    final LiveRoots roots = new LiveRoots();

    /** One function with the GET_HW_INFO its bind gave, or why there is none. */
    record Row(PciFunction function, HwInfo hwInfo, String hwInfoError) {
    }

    @Override
    Integer call() throws IOException {
        LinuxHost host = roots.host();
        KernelFeatures features = KernelFeatures.probe(host);
        List<Row> rows = new ArrayList<>();
        for (PciFunction f : host.vfioFunctions()) {
            rows.add(row(host, f, features.iommufd().present()));
        }
        String lack = rows.isEmpty() ? lack(features) : null;
        if (json) {
            json(features, rows, lack, host.devRoot().toString());
        } else {
            text(out(), features, rows, lack, host.devRoot().toString());
        }
        if (lack != null) {
            err().println("vcap: " + lack);
            return ExitCodes.UNAVAILABLE;
        }
        return ExitCodes.OK;
    }

    private static Row row(LinuxHost host, PciFunction f, boolean iommufd) {
        if (f.vfioDevice() == null) {
            return new Row(f, null, "no vfio device file (this kernel has no vfio cdev)");
        }
        if (!iommufd) {
            return new Row(f, null, "no iommufd");
        }
        try (LinuxIommufd fd = host.openIommufd(); LinuxVfioDevice dev = host.openDevice(f.address())) {
            return new Row(f, fd.getHwInfo(dev.bind(fd)), null);
        } catch (HostException e) {
            return new Row(f, null, e.getMessage());
        }
    }

    /** What the host lacks, in one sentence, when no function can be listed. */
    static String lack(KernelFeatures f) {
        List<String> missing = new ArrayList<>();
        missing.add("no PCI function is bound to vfio-pci");
        for (Feature x : List.of(f.iommufd(), f.vfioCdev(), f.vfioGroup())) {
            if (x.status() == Feature.Status.NO) {
                missing.add(x.detail());
            }
        }
        return "this host cannot assign a device: " + String.join("; ", missing)
                + " (docs/LINUX.md: using vcap on a real host)";
    }

    private static String release() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void text(PrintWriter out, KernelFeatures features, List<Row> rows, String lack, String dev) {
        out.println("kernel " + release() + "; features, each found by trying it:");
        for (Feature f : features.all()) {
            out.printf("  %-17s %-8s %s%n", f.key(), f.status().label(), f.detail());
        }
        out.println();
        if (lack != null) {
            out.flush(); // what is missing goes to standard error
            return;
        }
        out.println("functions vfio-pci owns: " + rows.size());
        for (Row r : rows) {
            PciFunction f = r.function();
            out.printf("  %s  %s  class %06x  %s  group %s  %s%n", f.address(), f.ids(), f.classCode(), role(f),
                    f.iommuGroup() < 0 ? "none" : f.iommuGroup(), f.vfioDevicePath(dev).orElse("no vfio device file"));
            out.println("      IOMMU_GET_HW_INFO: " + (r.hwInfo() != null ? PasidProbe.describeHwInfo(r.hwInfo())
                    : "not read: " + r.hwInfoError()));
        }
        out.flush();
    }

    private static String role(PciFunction f) {
        if (f.isVf()) {
            return "VF of " + f.physfn();
        }
        if (f.isPf()) {
            return String.format(Locale.ROOT, "PF, %d of %d VFs%s", f.numVfs(), f.totalVfs(), f.virtfns().isEmpty()
                    ? "" : " " + f.virtfns().stream().map(PciAddress::toString).collect(Collectors.joining(",", "[", "]")));
        }
        return "function";
    }

    private void json(KernelFeatures features, List<Row> rows, String lack, String dev) throws IOException {
        JsonGenerator g = new JsonFactory().createGenerator(main.rawOut(), JsonEncoding.UTF8);
        g.writeStartObject();
        g.writeStringField("kernel", release());
        LinuxJson.features(g, features.all());
        g.writeArrayFieldStart("functions");
        for (Row r : rows) {
            PciFunction f = r.function();
            g.writeStartObject();
            g.writeStringField("address", f.address().toString());
            g.writeNumberField("vendorId", f.vendor());
            g.writeNumberField("deviceId", f.device());
            g.writeNumberField("classCode", f.classCode());
            g.writeStringField("driver", f.driver());
            g.writeStringField("role", f.role());
            if (f.physfn() != null) {
                g.writeStringField("physfn", f.physfn().toString());
            } else {
                g.writeNullField("physfn");
            }
            g.writeArrayFieldStart("vfs");
            for (PciAddress vf : f.virtfns()) {
                g.writeString(vf.toString());
            }
            g.writeEndArray();
            g.writeNumberField("totalVfs", f.totalVfs());
            if (f.iommuGroup() >= 0) {
                g.writeNumberField("iommuGroup", f.iommuGroup());
            } else {
                g.writeNullField("iommuGroup");
            }
            g.writeStringField("vfioDevice", f.vfioDevicePath(dev).orElse(null));
            LinuxJson.hwInfo(g, r.hwInfo());
            g.writeStringField("hwInfoError", r.hwInfoError());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeStringField("unavailable", lack);
        g.writeEndObject();
        g.writeRaw('\n');
        g.flush();
    }
}
