package dev.vcap.cli.simulate;

import dev.vcap.guest.ConfigPort;
import dev.vcap.guest.Errno;
import dev.vcap.guest.GuestPciDev;
import dev.vcap.guest.OffsetProblem;
import dev.vcap.host.ConfigRegion;
import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.host.VfioDevice;
import dev.vcap.host.sim.SimHost;
import dev.vcap.host.sim.SimIommu;
import dev.vcap.host.sim.SimIommufd;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.vmm.AssignedDevice;
import dev.vcap.vmm.config.CapabilityDefinition;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.config.VirtualCapability;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.config.VirtualLayout;
import dev.vcap.vmm.migration.Admission;
import dev.vcap.vmm.migration.Migration;
import dev.vcap.vmm.migration.PoolPlanner;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.QuirkTable;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import dev.vcap.vmm.viommu.BindOutcome;
import dev.vcap.vmm.viommu.GuestPasidEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs a {@link Scenario} on simulated hosts: the hosts' kernels (vfio, iommufd, the IOMMU with
 * the 6.15 rules), the VMM (virtual config space, placement, vIOMMU, PASID binder, migration) and
 * a guest that probes and drives the device as Linux does — and checks, after every step, that
 * the three agree. Everything happens in one thread, in order, so a run is deterministic.
 */
public final class Simulation {

    /** One line of the event log. */
    public record Event(int seq, String actor, String where, String message) {
    }

    /** One check and whether it held. */
    public record Check(int seq, String name, boolean passed, String detail) {
    }

    /** The run: every event, every check, and the guest-visible layout (printed once). */
    public record Result(List<Event> events, List<Check> checks, List<String> layout) {
        public boolean passed() {
            return checks.stream().allMatch(Check::passed);
        }
    }

    private final Scenario scenario;
    private final Consumer<Event> sink;
    private final List<Event> events = new ArrayList<>();
    private final List<Check> checks = new ArrayList<>();
    private final List<String> layout = new ArrayList<>();
    private final Map<String, SimHost> hosts = new LinkedHashMap<>();
    private final Map<String, SimIommufd> iommufds = new LinkedHashMap<>();
    private final Map<String, PciAddress> vmFunction = new LinkedHashMap<>();
    private String where;
    private AssignedDevice device;
    private GuestPort port;
    private GuestPciDev guest;

    private Simulation(Scenario scenario, Consumer<Event> sink) {
        this.scenario = scenario;
        this.sink = sink;
    }

    /** Runs a scenario; {@code sink} sees each event as it happens. */
    public static Result run(Scenario scenario, Consumer<Event> sink) {
        Simulation s = new Simulation(scenario, sink);
        s.run();
        return new Result(List.copyOf(s.events), List.copyOf(s.checks), List.copyOf(s.layout));
    }

    /** The guest's window on the config space its VMM currently gives it. */
    private static final class GuestPort implements ConfigPort {
        VirtualConfigSpace target;

        GuestPort(VirtualConfigSpace target) {
            this.target = target;
        }

        @Override
        public int read(int offset, int width) {
            ConfigPort.checkAccess(offset, width);
            return offset + width > target.size() ? -1 >>> (32 - 8 * width) : target.read(offset, width);
        }

        @Override
        public void write(int offset, int width, int value) {
            ConfigPort.checkAccess(offset, width);
            if (offset + width <= target.size()) {
                target.write(offset, width, value);
            }
        }
    }

    private void event(String actor, String at, String message) {
        Event e = new Event(events.size() + 1, actor, at, message);
        events.add(e);
        sink.accept(e);
    }

    private void check(String name, boolean passed, String detail) {
        checks.add(new Check(events.size(), name, passed, detail));
        event("check", passed ? "pass" : "FAIL", name + (detail.isEmpty() ? "" : ": " + detail));
    }

    private void run() {
        for (Scenario.HostSpec h : scenario.hosts()) {
            bootHost(h);
        }
        where = scenario.vm().host();
        attach();
        for (Scenario.Step step : scenario.steps()) {
            switch (step) {
                case Scenario.Step.Enumerate e -> enumerate();
                case Scenario.Step.EnablePasid e -> enablePasid(e);
                case Scenario.Step.EnableAts e -> guestStep("enable ATS with a " + (1 << e.pageShift() - 10) + " KiB STU",
                        guest.enableAts(e.pageShift()));
                case Scenario.Step.EnablePri e -> guestStep("enable PRI with " + e.requests() + " requests",
                        guest.enablePri(e.requests()));
                case Scenario.Step.Bind b -> bind(b);
                case Scenario.Step.Unbind u -> {
                    event("guest", "vm", "clears PASID-table entry " + u.pasid() + " and invalidates");
                    BindOutcome.Unbound out = device.binder().unbind(u.pasid());
                    check("PASID " + u.pasid() + " detached on " + where, host().iommuDevice(function()).pasidDomain(
                            u.pasid()) == 0, out.wasBound() ? "it was bound" : "it was not bound");
                }
                case Scenario.Step.DisablePasid d -> {
                    guest.disablePasid();
                    event("guest", "vm", "pci_disable_pasid");
                    check("every PASID detached after PASID Enable cleared", host().iommuDevice(function())
                            .pasidEntries() == 0, "");
                }
                case Scenario.Step.Flr f -> flr();
                case Scenario.Step.Migrate m -> migrate(m);
                case Scenario.Step.Shutdown s -> shutdown();
            }
        }
    }

    private void bootHost(Scenario.HostSpec h) {
        Scenario.IommuSpec i = h.iommu();
        SimHost.Builder b = SimHost.builder()
                .iommu(new SimIommu.Features(i.pasidWidth() > 0, Math.max(i.pasidWidth(), 1), i.exec(), i.priv(), true, true,
                        true, 12))
                .function(h.pf(), h.pfConfig());
        if (!h.vfRegisters().isEmpty()) {
            b.vfFirmware(h.pf(), cs -> {
                h.vfRegisters().forEach(r -> cs.setU32(r.offset(), r.value()));
                return cs;
            });
        }
        SimHost host = b.build();
        if (!h.pfPasid() && host.pciDev(h.pf()).pasidEnabled()) {
            host.pciDev(h.pf()).disablePasid();
        }
        List<PciAddress> vfs = h.vfs() > 0 ? host.enableVfs(h.pf(), h.vfs()) : List.of();
        hosts.put(h.name(), host);
        iommufds.put(h.name(), host.openIommufd());
        String fn = scenario.vm().function();
        vmFunction.put(h.name(), fn.equals("pf") ? h.pf() : vfs.get(Integer.parseInt(fn.substring(2))));
        event("host", h.name(), String.format("PF %s (%s): PASID %s on the PF; IOMMU PASID width %d%s%s; %d VF%s %s%s",
                h.pf(), h.pfSource(), host.pciDev(h.pf()).pasidEnabled() ? "enabled" : "disabled", i.pasidWidth(),
                i.exec() ? " EXEC" : "", i.priv() ? " PRIV" : "", vfs.size(), vfs.size() == 1 ? "" : "s", vfs,
                h.vfRegisters().isEmpty() ? "" : "; VF firmware writes " + h.vfRegisters().stream()
                        .map(r -> String.format("0x%08x at 0x%03x", r.value(), r.offset())).toList()));
    }

    private SimHost host() {
        return hosts.get(where);
    }

    private PciAddress function() {
        return vmFunction.get(where);
    }

    private void attach() {
        PlacementOptions placement = placement();
        AssignedDevice.Options options = new AssignedDevice.Options(scenario.vm().pri(), scenario.vm().ats(), placement,
                HidingPolicy.defaults());
        String at = where;
        device = AssignedDevice.attach(host(), function(), iommufds.get(at), scenario.vm().viommu(), options,
                line -> event("vmm", at, line));
        describeLayout(device.vcs().layout());
        port = new GuestPort(device.vcs());
    }

    /** The placement options the VM's placement mode asks for; a pool plan runs over every host here. */
    private PlacementOptions placement() {
        PlacementOptions base = new PlacementOptions(Map.of(), null, List.of(), QuirkTable.shipped(), null, true,
                PlacementOptions.Compat.VCAP);
        return switch (scenario.vm().placement()) {
            case "qemu" -> base.withCompat(PlacementOptions.Compat.QEMU);
            case "vcap" -> base;
            default -> base.withExplicit(poolOffsets(base));
        };
    }

    private Map<SyntheticCapability, Integer> poolOffsets(PlacementOptions base) {
        PasidSupport pasid = scenario.vm().viommu().pasid();
        for (Scenario.HostSpec h : scenario.hosts()) {
            pasid = pasid.intersect(new PasidSupport(h.iommu().pasidWidth(), h.iommu().exec(), h.iommu().priv()));
        }
        Map<SyntheticCapability, CapabilityDefinition> requests = new LinkedHashMap<>();
        if (pasid.supported()) {
            requests.put(SyntheticCapability.PASID, Synthesizers.pasid(pasid));
        }
        if (scenario.vm().pri()) {
            requests.put(SyntheticCapability.PRI, Synthesizers.pri(0x200, pasid.supported()));
        }
        if (scenario.vm().ats()) {
            requests.put(SyntheticCapability.ATS, Synthesizers.ats(0, true, false));
        }
        if (requests.isEmpty()) {
            return Map.of();
        }
        List<DeviceImage> views = new ArrayList<>();
        for (var e : vmFunction.entrySet()) {
            views.add(new DeviceImage(e.getValue(), e.getKey(), snapshot(hosts.get(e.getKey()), e.getValue()), e.getKey()));
        }
        PoolPlanner.PoolPlan plan = PoolPlanner.plan(views.iterator(), new PoolPlanner.Options(requests, base,
                new Admission.Options(pasid, base.quirks(), HidingPolicy.defaults()), InMemoryConfigRegion::new));
        Map<SyntheticCapability, Integer> offsets = new LinkedHashMap<>();
        plan.decisions().forEach(d -> d.offset().ifPresent(o -> offsets.put(d.capability(), o)));
        event("vmm", "vm", String.format("pool plan over the VM's function on %d hosts: %s; fits %d of %d%s",
                views.size(), offsets.entrySet().stream().map(e -> String.format("%s at 0x%03x", e.getKey(), e.getValue()))
                        .toList(), plan.core(), plan.devices(), plan.blockers().isEmpty() ? ""
                        : "; blocked by " + plan.blockers().stream().map(b -> b.device() + " (" + b.refusal().rule() + ": "
                                + b.refusal().reason() + ")").toList()));
        return offsets;
    }

    /** The function's config space as the host's vfio shows it. */
    private static ConfigSpace snapshot(SimHost host, PciAddress address) {
        try (VfioDevice d = host.openDevice(address)) {
            ConfigRegion r = d.config();
            ConfigSpace cs = ConfigSpace.allocate(r.size());
            for (int off = 0; off < r.size(); off += 4) {
                cs.setU32(off, r.read(off, 4));
            }
            return cs;
        }
    }

    private void describeLayout(VirtualLayout l) {
        layout.add(String.format("%-9s %-6s %-6s %-12s %s", "space", "offset", "id", "origin", "capability"));
        for (VirtualCapability c : l.all().toList()) {
            layout.add(String.format("%-9s 0x%03x  0x%04x %-12s %s", c.space().label(), c.offset(), c.id(),
                    c.origin().label(), c.name()));
        }
        l.hidden().forEach(h -> layout.add(String.format("%-9s 0x%03x  0x%04x %-12s %s (%s)", h.space().label(),
                h.offset(), h.id(), "hidden", h.name(), h.reason())));
    }

    private void enumerate() {
        guest = GuestPciDev.probe(port);
        event("guest", "vm", String.format("probe %04x:%04x: pcie_cap 0x%x, msix_cap 0x%x, ats_cap 0x%x, pri_cap 0x%x,"
                + " pasid_cap 0x%x; max PASIDs %d", guest.vendor(), guest.device(), guest.pcieCap(), guest.msixCap(),
                guest.atsCap(), guest.priCap(), guest.pasidCap(), guest.pasidCap() == 0 ? 0 : guest.maxPasids()));
        VirtualLayout l = device.vcs().layout();
        int pasid = l.find(ExtendedCapability.PASID).map(VirtualCapability::offset).orElse(0);
        int ats = l.find(ExtendedCapability.ATS).map(VirtualCapability::offset).orElse(0);
        int pri = l.find(ExtendedCapability.PRI).map(VirtualCapability::offset).orElse(0);
        check("the guest finds PASID, ATS and PRI where the VMM put them", guest.pasidCap() == pasid
                && guest.atsCap() == ats && guest.priCap() == pri, String.format("pasid 0x%x, ats 0x%x, pri 0x%x", pasid,
                        ats, pri));
    }

    private void enablePasid(Scenario.Step.EnablePasid e) {
        int features = (e.exec() ? GuestPciDev.PASID_EXEC : 0) | (e.priv() ? GuestPciDev.PASID_PRIV : 0);
        guestStep("pci_enable_pasid(features 0x" + Integer.toHexString(features) + ")", guest.enablePasid(features));
        check("the guest and the vIOMMU agree PASID is " + (guest.pasidEnabled() ? "enabled" : "disabled"),
                guest.pasidEnabled() == device.binder().state().pasidEnabled(), "");
    }

    private void guestStep(String what, Errno result) {
        event("guest", "vm", what + " -> " + (result.isOk() ? "0" : result + " (" + result.value() + ")"));
    }

    private void bind(Scenario.Step.Bind b) {
        event("guest", "vm", String.format("writes PASID-table entry %d (stage-1 root 0x%x%s) and invalidates", b.pasid(),
                b.root(), b.faultCapable() ? ", recoverable faults" : ""));
        BindOutcome out = device.binder().bind(new GuestPasidEntry(b.pasid(), b.root(), b.faultCapable()));
        int hostDomain = host().iommuDevice(function()).pasidDomain(b.pasid());
        switch (out) {
            case BindOutcome.Bound bound -> check("PASID " + b.pasid() + " attached on " + where, hostDomain != 0,
                    "HWPT " + bound.hwpt() + (bound.replaced() ? ", replacing the previous one" : ""));
            case BindOutcome.Refused refused -> {
                event("guest", "vm", "vIOMMU reports an error for PASID " + b.pasid() + ": " + refused.reason());
                check("refused PASID " + b.pasid() + " left nothing attached", hostDomain == 0, "");
            }
            case BindOutcome.Unbound u -> throw new IllegalStateException("a bind cannot answer " + u);
        }
    }

    private void flr() {
        long resets = host().function(function()).resets();
        guestStep("pci_reset_function (Initiate FLR, then pci_restore_state)", guest.resetFunction());
        check("the guest's FLR reset the function on " + where + " and left no PASID attached",
                host().function(function()).resets() == resets + 1
                        && host().iommuDevice(function()).pasidEntries() == 0, "");
    }

    private void migrate(Scenario.Step.Migrate m) {
        String from = where;
        AssignedDevice source = device;
        var bindings = source.binder().bindings();
        event("vmm", from, "live migration to " + m.to() + ": sending the layout contract, the guest's config state and "
                + bindings.size() + " PASID bindings");
        Migration.Package pkg = Migration.pack(source);
        Scenario.HostSpec dest = scenario.hosts().stream().filter(h -> h.name().equals(m.to())).findFirst().orElseThrow();
        PasidSupport destPasid = new PasidSupport(dest.iommu().pasidWidth(), dest.iommu().exec(), dest.iommu().priv())
                .intersect(scenario.vm().viommu().pasid());
        Migration.Arrival arrival = Migration.arrive(pkg, hosts.get(m.to()), vmFunction.get(m.to()), iommufds.get(m.to()),
                scenario.vm().viommu(), new Admission.Options(destPasid, QuirkTable.shipped(), HidingPolicy.defaults()),
                line -> event("vmm", m.to(), line));
        check("migration " + (m.expectAdmitted() ? "admitted" : "refused") + " as expected",
                arrival.admitted() == m.expectAdmitted(), arrival.verdict() instanceof Admission.Result.Refused r
                        ? r.rule() + ": " + r.reason() : "");
        if (!arrival.admitted()) {
            event("vmm", from, "the VM keeps running on " + from);
            return;
        }
        where = m.to();
        device = arrival.device().orElseThrow();
        port.target = device.vcs();
        Migration.complete(source);
        List<OffsetProblem> problems = guest.verifyCachedOffsets();
        check("every offset the guest cached still holds its capability", problems.isEmpty(), problems.isEmpty()
                ? guest.cachedOffsets().size() + " offsets checked"
                : problems.stream().map(OffsetProblem::describe).toList().toString());
        boolean rebound = bindings.keySet().stream().allMatch(p -> host().iommuDevice(function()).pasidDomain(p) != 0);
        check("every PASID re-attached on " + where, rebound, bindings.keySet().toString());
        SimHost old = hosts.get(from);
        check("nothing left on " + from, old.iommuDevice(vmFunction.get(from)).pasidEntries() == 0
                && iommufds.get(from).objectCount() == 0 && !old.pciDev(vmFunction.get(from)).vfioBound(), "");
    }

    private void shutdown() {
        event("vmm", where, "VM shutdown");
        device.close();
        for (var e : hosts.entrySet()) {
            PciAddress fn = vmFunction.get(e.getKey());
            check("no leak on " + e.getKey(), e.getValue().iommuDevice(fn).pasidEntries() == 0
                    && e.getValue().iommuDevice(fn).ridDomain() == 0 && iommufds.get(e.getKey()).objectCount() == 0
                    && !e.getValue().pciDev(fn).vfioBound(), "");
        }
    }
}
