package dev.vcap.cli.simulate;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.vmm.files.YamlNode;
import dev.vcap.vmm.viommu.VIommu;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A simulation scenario (docs/SIMULATE.md): hosts with their devices and IOMMUs, a VM with its
 * vIOMMU and assigned function, and the steps the guest, the VMM and the operator take.
 *
 * @param name        a title
 * @param description free text
 * @param hosts       the simulated hosts
 * @param vm          the VM
 * @param steps       what happens, in order
 * @param origin      the file it came from, or "built-in"
 */
public record Scenario(String name, String description, List<HostSpec> hosts, VmSpec vm, List<Step> steps,
        String origin) {

    /**
     * A host: a PF (a built-in device or a dump) at an address, how many VFs to enable, its IOMMU,
     * and the firmware of its VFs.
     *
     * @param vfRegisters registers the host's VF firmware puts into every VF's config space
     * @param pfPasid     whether the host kernel enables PASID on the PF (Linux does at IOMMU probe)
     */
    public record HostSpec(String name, PciAddress pf, ConfigSpace pfConfig, String pfSource, int vfs,
            IommuSpec iommu, List<Register> vfRegisters, boolean pfPasid) {
    }

    /** The host IOMMU's PASID support. */
    public record IommuSpec(int pasidWidth, boolean exec, boolean priv) {
    }

    /** A dword a firmware writes. */
    public record Register(int offset, int value) {
    }

    /**
     * The VM.
     *
     * @param viommu    the guest's IOMMU
     * @param host      where it starts
     * @param function  {@code pf} or {@code vfN}
     * @param pri       synthesize PRI
     * @param ats       synthesize ATS
     * @param placement {@code pool} (over the VM's function on every host), {@code vcap} (the
     *                  starting host only) or {@code qemu} (QEMU 11.0's 0xff8)
     */
    public record VmSpec(VIommu viommu, String host, String function, boolean pri, boolean ats, String placement) {
    }

    /** One step; {@code line} is where it is in the file (0 for the built-in scenario). */
    public sealed interface Step {
        int line();

        record Enumerate(int line) implements Step {
        }

        record EnablePasid(int line, boolean exec, boolean priv) implements Step {
        }

        record EnableAts(int line, int pageShift) implements Step {
        }

        record EnablePri(int line, int requests) implements Step {
        }

        record Bind(int line, int pasid, long root, boolean faultCapable) implements Step {
        }

        record Unbind(int line, int pasid) implements Step {
        }

        record DisablePasid(int line) implements Step {
        }

        record Flr(int line) implements Step {
        }

        record Migrate(int line, String to, boolean expectAdmitted) implements Step {
        }

        record Shutdown(int line) implements Step {
        }
    }

    /** The scenario `vcap simulate` runs without arguments. */
    public static Scenario builtin() {
        try (InputStream in = Scenario.class.getResourceAsStream("default.yaml")) {
            if (in == null) {
                throw new IllegalStateException("the built-in scenario is missing from the class path");
            }
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8), "built-in scenario", null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Scenario load(Path file) {
        return parse(YamlNode.load(file, "a scenario (YAML text, docs/SIMULATE.md)"),
                file.toAbsolutePath().getParent());
    }

    static Scenario parse(Reader reader, String name, Path baseDir) {
        return parse(YamlNode.parse(reader, name), baseDir);
    }

    private static Scenario parse(YamlNode root, Path baseDir) {
        root.onlyKeys(Set.of("version", "name", "description", "hosts", "vm", "steps"));
        YamlNode version = root.required("version");
        if (version.integer(0, Integer.MAX_VALUE) != 1) {
            throw version.error("unsupported version " + version.text() + "; expected 1");
        }
        List<HostSpec> hosts = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (YamlNode h : root.required("hosts").items()) {
            HostSpec host = host(h, baseDir);
            if (!names.add(host.name())) {
                throw h.required("name").error("a second host named '" + host.name() + "'; expected unique names");
            }
            hosts.add(host);
        }
        VmSpec vm = vm(root.required("vm"), names);
        List<Step> steps = new ArrayList<>();
        boolean probed = false;
        String at = vm.host();
        for (YamlNode s : root.required("steps").items()) {
            Step step = step(s, names);
            if (!steps.isEmpty() && steps.getLast() instanceof Step.Shutdown) {
                throw s.error("a step after 'shutdown'; expected the VM's last step to be its shutdown");
            }
            switch (step) {
                case Step.Enumerate e -> probed = true;
                case Step.EnablePasid e -> needProbe(probed, s, "enable-pasid");
                case Step.EnableAts e -> needProbe(probed, s, "enable-ats");
                case Step.EnablePri e -> needProbe(probed, s, "enable-pri");
                case Step.DisablePasid e -> needProbe(probed, s, "disable-pasid");
                case Step.Flr e -> needProbe(probed, s, "flr");
                case Step.Migrate m -> {
                    needProbe(probed, s, "migrate");
                    if (m.to().equals(at)) {
                        throw s.error("'migrate' to " + at + ", where the VM already runs; expected another host");
                    }
                    at = m.expectAdmitted() ? m.to() : at;
                }
                case Step.Bind b -> {
                }
                case Step.Unbind u -> {
                }
                case Step.Shutdown d -> {
                }
            }
            steps.add(step);
        }
        return new Scenario(root.optional("name").map(YamlNode::text).orElse(root.file()),
                root.optional("description").map(YamlNode::text).orElse(""), List.copyOf(hosts), vm, List.copyOf(steps),
                root.file());
    }

    private static HostSpec host(YamlNode h, Path baseDir) {
        h.onlyKeys(Set.of("name", "pf", "vfs", "iommu", "vfFirmware", "pfPasid"));
        YamlNode pf = h.required("pf");
        pf.onlyKeys(Set.of("address", "device", "dump"));
        PciAddress address;
        try {
            address = PciAddress.parse(pf.required("address").text().trim());
        } catch (IllegalArgumentException e) {
            throw pf.required("address").error(e.getMessage());
        }
        ConfigSpace config;
        String source;
        if (pf.optional("device").isPresent()) {
            YamlNode d = pf.required("device");
            var supplier = BuiltinDevices.ALL.get(d.text().trim());
            if (supplier == null) {
                throw d.error("'" + d.text() + "' is not a built-in device; expected one of "
                        + new java.util.TreeSet<>(BuiltinDevices.ALL.keySet()) + ", or give 'dump'");
            }
            config = supplier.get();
            source = "built-in " + d.text().trim();
        } else {
            YamlNode dump = pf.required("dump");
            Path file = baseDir == null ? Path.of(dump.text()) : baseDir.resolve(dump.text());
            try {
                config = Dumps.readAll(file).getFirst().config();
            } catch (DumpFormatException | IOException e) {
                throw dump.error("cannot read the dump: " + e.getMessage());
            }
            source = file.toString();
        }
        YamlNode iommu = h.required("iommu");
        iommu.onlyKeys(Set.of("pasidWidth", "exec", "priv"));
        List<Register> registers = new ArrayList<>();
        for (YamlNode r : h.optional("vfFirmware").map(n -> n.onlyKeys(Set.of("registers")).required("registers").items())
                .orElse(List.of())) {
            r.onlyKeys(Set.of("offset", "value"));
            int offset = r.required("offset").integer(0x40, 0xFFC);
            if (offset % 4 != 0) {
                throw r.required("offset").error(String.format("0x%x is not dword aligned", offset));
            }
            registers.add(new Register(offset, r.required("value").integer(0, 0xFFFFFFFFL)));
        }
        return new HostSpec(h.required("name").text().trim(), address, config, source,
                h.optional("vfs").map(n -> n.integer(0, 256)).orElse(0),
                new IommuSpec(iommu.required("pasidWidth").integer(0, 20),
                        iommu.optional("exec").map(YamlNode::bool).orElse(false),
                        iommu.optional("priv").map(YamlNode::bool).orElse(false)),
                List.copyOf(registers), h.optional("pfPasid").map(YamlNode::bool).orElse(true));
    }

    private static VmSpec vm(YamlNode v, Set<String> hosts) {
        v.onlyKeys(Set.of("viommu", "host", "function", "pri", "ats", "placement"));
        YamlNode vi = v.required("viommu");
        vi.onlyKeys(Set.of("model", "width", "exec", "priv", "ats"));
        String model = vi.required("model").choice(Set.of("VTD", "SMMUV3"));
        int width = vi.required("width").integer(0, 20);
        boolean ats = vi.optional("ats").map(YamlNode::bool).orElse(true);
        VIommu viommu = model.equals("VTD")
                ? new VIommu.IntelVtd(width > 0, Math.max(width - 1, 0), vi.optional("exec").map(YamlNode::bool).orElse(false),
                        vi.optional("priv").map(YamlNode::bool).orElse(false), ats)
                : new VIommu.ArmSmmuV3(width, ats);
        YamlNode host = v.required("host");
        if (!hosts.contains(host.text().trim())) {
            throw host.error("no host named '" + host.text() + "'; expected one of " + new java.util.TreeSet<>(hosts));
        }
        YamlNode fn = v.required("function");
        String function = fn.text().trim();
        if (!function.equals("pf") && !function.matches("vf\\d+")) {
            throw fn.error("'" + function + "' is not a function; expected pf or vfN (vf0 is the first VF)");
        }
        return new VmSpec(viommu, host.text().trim(), function, v.optional("pri").map(YamlNode::bool).orElse(false),
                v.optional("ats").map(YamlNode::bool).orElse(false),
                v.optional("placement").map(n -> n.choice(Set.of("POOL", "VCAP", "QEMU")).toLowerCase(java.util.Locale.ROOT))
                        .orElse("pool"));
    }

    private static Step step(YamlNode s, Set<String> hosts) {
        String kind;
        YamlNode args = null;
        try {
            kind = s.text().trim();
        } catch (dev.vcap.vmm.files.FileFormatException notScalar) {
            var fields = s.fields();
            if (fields.size() != 1) {
                throw s.error("a step is one name, or one name with its arguments (e.g. 'bind: {pasid: 1}')");
            }
            kind = fields.keySet().iterator().next();
            args = fields.get(kind);
        }
        int line = s.line();
        YamlNode a = args;
        return switch (kind) {
            case "enumerate" -> new Step.Enumerate(line);
            case "enable-pasid" -> new Step.EnablePasid(line, flag(a, "exec"), flag(a, "priv"));
            case "enable-ats" -> new Step.EnableAts(line, a == null ? 12 : a.onlyKeys(Set.of("pageShift"))
                    .optional("pageShift").map(n -> n.integer(12, 43)).orElse(12));
            case "enable-pri" -> new Step.EnablePri(line, a == null ? 32 : a.onlyKeys(Set.of("requests"))
                    .optional("requests").map(n -> n.integer(1, 1 << 20)).orElse(32));
            case "bind" -> {
                YamlNode b = need(a, s, kind).onlyKeys(Set.of("pasid", "root", "faultCapable"));
                yield new Step.Bind(line, b.required("pasid").integer(0, (1 << 20) - 1),
                        b.optional("root").map(n -> n.integer(0, 0xFFFFFFFFL) & 0xFFFFFFFFL).orElse(0x100000L),
                        b.optional("faultCapable").map(YamlNode::bool).orElse(false));
            }
            case "unbind" -> new Step.Unbind(line, need(a, s, kind).onlyKeys(Set.of("pasid")).required("pasid")
                    .integer(0, (1 << 20) - 1));
            case "disable-pasid" -> new Step.DisablePasid(line);
            case "flr" -> new Step.Flr(line);
            case "migrate" -> {
                YamlNode m = need(a, s, kind).onlyKeys(Set.of("to", "expect"));
                YamlNode to = m.required("to");
                if (!hosts.contains(to.text().trim())) {
                    throw to.error("no host named '" + to.text() + "'");
                }
                yield new Step.Migrate(line, to.text().trim(), m.optional("expect")
                        .map(n -> n.choice(Set.of("ADMITTED", "REFUSED")).equals("ADMITTED")).orElse(true));
            }
            case "shutdown" -> new Step.Shutdown(line);
            default -> throw s.error("unknown step '" + kind + "'; expected one of enumerate, enable-pasid, enable-ats,"
                    + " enable-pri, bind, unbind, disable-pasid, flr, migrate, shutdown");
        };
    }

    /** The guest driver's steps and a migration's offset check need the guest to have probed. */
    private static void needProbe(boolean probed, YamlNode step, String kind) {
        if (!probed) {
            throw step.error("step '" + kind + "' before the guest probed the device; expected 'enumerate' first");
        }
    }

    private static boolean flag(YamlNode args, String key) {
        return args != null && args.optional(key).map(YamlNode::bool).orElse(false);
    }

    private static YamlNode need(YamlNode args, YamlNode step, String kind) {
        if (args == null) {
            throw step.error("step '" + kind + "' needs arguments");
        }
        return args;
    }
}
