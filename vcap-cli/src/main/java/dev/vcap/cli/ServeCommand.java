package dev.vcap.cli;

import dev.vcap.cli.args.CommandDef;
import dev.vcap.cli.args.UsageException;
import dev.vcap.host.sim.SimHost;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.vfiouser.server.BarLayout;
import dev.vcap.vfiouser.server.ObservedRegion;
import dev.vcap.vfiouser.server.ServedDevice;
import dev.vcap.vfiouser.server.ServerEvent;
import dev.vcap.vfiouser.server.VfioUserServer;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.migration.Admission;
import dev.vcap.vmm.migration.Contracts;
import dev.vcap.vmm.migration.GuestState;
import dev.vcap.vmm.migration.LayoutContract;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code vcap serve}: put a device's guest-visible config space on a vfio-user socket for QEMU. */
final class ServeCommand extends Command {

    static final CommandDef<ServeCommand> DEF = CommandDef.of("serve", ServeCommand::new)
            .header("Serve a guest-visible config space to QEMU over vfio-user.")
            .inDeclarationOrder()
            .description(
                "Serve a device's guest-visible config space -- the one 'vcap plan' builds",
                "from the dump with the same options -- to QEMU over vfio-user (QEMU 10.1+:",
                "-device '{\"driver\":\"vfio-user-pci\",\"socket\":{\"path\":\"PATH\",",
                "\"type\":\"unix\"}}'). Guest config accesses go through vcap's masks and",
                "write policy; the VMM events they raise (PASID, ATS, PRI enables, FLR) are",
                "logged. BARs are served as sparse memory, sized from the dump (see",
                "docs/VFIO-USER.md); there is no DMA and no interrupt is raised.",
                "",
                "Runs until QEMU disconnects, or SIGINT/SIGTERM; the socket file is removed.",
                "")
            .footer(
                "",
                "Examples:",
                "  vcap serve dsa.lspci --socket /tmp/dsa.sock --pasid --pri --ats",
                "  vcap serve vf.lspci --socket /tmp/vf.sock --pasid --pf pf.lspci --json",
                "  mkfifo ctl; vcap serve dsa.lspci --socket s --pasid --control ctl &",
                "  echo 'migrate other-host.lspci' > ctl",
                "",
                "Exit codes: 0 QEMU disconnected; 2 usage; 3 bad input (a dump or file, or",
                "a socket path that exists); 4 a placement refused (nothing is served);",
                "130/143 after SIGINT/SIGTERM. See docs/CLI.md and docs/VFIO-USER.md.")
            .param("DUMP", 1, 1, "The device's dump (lspci -xxxx text or a binary config image).",
                    (c, v) -> c.dump = Path.of(v))
            .required("--socket", "PATH", "The UNIX socket to listen on (must not exist).",
                    (c, v) -> c.socket = Path.of(v))
            .option("--address", "BDF", "Which device of DUMP (default: the first).",
                    (c, v) -> c.address = v)
            .with(PlanOptions.OPTIONS, c -> c.placement)
            .repeatable("--bar-size", "N=SIZE", "Size of BAR N in bytes (e.g. 0=16K, 2=1M); repeatable. Default: from the dump.",
                    (c, v) -> c.barSizes.add(v))
            .option("--control", "FILE", "Read commands from FILE (a FIFO) while serving: 'migrate DUMP [BDF]'.",
                    (c, v) -> c.control = Path.of(v))
            .flag("--json", "Log every event as a JSON line (docs/JSON.md).", c -> c.json = true);

    Path dump;
    Path socket;
    String address;
    final PlanOptions placement = new PlanOptions();
    final List<String> barSizes = new ArrayList<>();
    Path control;
    boolean json;

    private ServedDevice device;
    private PlanSettings settings;
    private ServeLog log;

    @Override
    Integer call() throws IOException {
        Map<Integer, Long> sizes = parseBarSizes();
        settings = placement.resolve();
        DeviceImage image = pick(dump, address);
        log = json ? ServeLog.json(main.rawOut()) : ServeLog.text(out());
        DevicePlan p = DevicePlan.of(image, settings, r -> new ObservedRegion(r, log));
        PrintWriter err = err();
        if (p.refused()) {
            PlanText.refusals(p).lines().forEach(line -> err.println("vcap: refused: " + line));
            err.println("vcap: nothing served: a placement was refused");
            return ExitCodes.REFUSED;
        }
        BarLayout bars = BarLayout.of(p.guestImage(), sizes);
        announce(p, bars);
        device = new ServedDevice(p.vcs(), bars, log);
        if (control != null) {
            Thread t = new Thread(this::readControl, "vcap-serve-control");
            t.setDaemon(true);
            t.start();
        }
        Thread serving = Thread.currentThread();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            serving.interrupt();
            try {
                done.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "vcap-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            new VfioUserServer(device, log).run(socket);
        } catch (IOException e) {
            throw new BadInputException("--socket " + e.getMessage());
        } finally {
            done.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // a signal arrived: the JVM exits with its status once the hook returns
        }
        return ExitCodes.OK;
    }

    private void announce(DevicePlan p, BarLayout bars) throws IOException {
        if (log.isJson()) {
            var g = log.generator();
            g.writeStartObject();
            g.writeStringField("event", "serving");
            g.writeFieldName("plan");
            PlanJson.device(g, p, null);
            g.writeArrayFieldStart("bars");
            for (BarLayout.Bar b : bars.bars()) {
                g.writeStartObject();
                g.writeNumberField("index", b.index());
                g.writeNumberField("size", b.size());
                g.writeStringField("kind", kind(b));
                g.writeStringField("why", b.why());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            log.endLine();
        } else {
            PrintWriter out = out();
            PlanText.device(out, p);
            for (BarLayout.Bar b : bars.bars()) {
                if (b.present()) {
                    out.printf("  BAR%d: %s, %d bytes (%s)%n", b.index(), kind(b), b.size(), b.why());
                }
            }
            out.flush();
        }
    }

    private static String kind(BarLayout.Bar b) {
        return !b.present() ? "none" : b.io() ? "I/O" : b.is64() ? "64-bit memory" : "32-bit memory";
    }

    /** Reads control commands until the process ends; a FIFO is reopened after each writer. */
    private void readControl() {
        while (true) {
            try (BufferedReader r = Files.newBufferedReader(control, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    command(line.trim());
                }
            } catch (IOException | RuntimeException e) {
                log.accept(new ServerEvent.ErrorReply("control", 0, control + ": " + e.getMessage()));
                return;
            }
        }
    }

    private void command(String line) {
        if (line.isEmpty() || line.startsWith("#")) {
            return;
        }
        String[] words = line.split("\\s+");
        if (!words[0].equals("migrate") || words.length < 2 || words.length > 3) {
            log.accept(new ServerEvent.ErrorReply("control", 0, "'" + line + "': expected 'migrate DUMP [BDF]'"));
            return;
        }
        Path dest = Path.of(words[1]);
        try {
            migrate(dest, pick(dest, words.length == 3 ? words[2] : null));
        } catch (RuntimeException | IOException e) {
            log.accept(new ServerEvent.Migration(dest.toString(), false, "BAD_INPUT", -1, e.getMessage()));
        }
    }

    /**
     * Switches the served device to {@code dest}, admitted under the contract of what the guest sees
     * now (the VMM-side half of a migration: QEMU's vfio-user client cannot migrate a device), or
     * refuses it as {@code vcap check-migration} would.
     */
    private synchronized void migrate(Path file, DeviceImage dest) {
        var source = device.config();
        LayoutContract contract = Contracts.export(source);
        GuestState state = Contracts.state(source);
        PasidSupport pasid = contract.synthesized(SyntheticCapability.PASID)
                .map(s -> new PasidSupport(s.pasidWidth(), s.execute(), s.privileged()))
                .orElse(new PasidSupport(0, false, false));
        Admission.Result r = Admission.admit(contract, new ObservedRegion(SimHost.vfioView(dest), log),
                new Admission.Options(pasid, settings.options().quirks(), HidingPolicy.defaults()));
        switch (r) {
            case Admission.Result.Admitted a -> {
                state.restore(a.vcs());
                device.replace(a.vcs());
                log.accept(new ServerEvent.Migration(file.toString(), true, null, -1, "the guest's layout and"
                        + " writable state reproduced on " + dest.address() + " (" + String.join("; ", a.actions())
                        + ")"));
            }
            case Admission.Result.Refused f -> log.accept(new ServerEvent.Migration(file.toString(), false,
                    f.rule().name(), f.offset(), f.reason()));
        }
    }

    private DeviceImage pick(Path file, String bdf) throws IOException {
        if (!Files.exists(file)) {
            throw new BadInputException(file + ": no such file");
        }
        List<DeviceImage> devices = Dumps.readAll(file);
        if (bdf == null) {
            return devices.getFirst();
        }
        PciAddress a;
        try {
            a = PciAddress.parse(bdf);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--address: " + e.getMessage());
        }
        return devices.stream().filter(d -> d.address().equals(a)).findFirst()
                .orElseThrow(() -> new BadInputException(file + ": no device " + a));
    }

    private Map<Integer, Long> parseBarSizes() {
        Map<Integer, Long> out = new LinkedHashMap<>();
        for (String s : barSizes) {
            String[] kv = s.split("=", 2);
            try {
                int bar = Integer.parseInt(kv[0].trim());
                long size = size(kv[1].trim());
                if (bar < 0 || bar >= BarLayout.SLOTS || Long.bitCount(size) != 1) {
                    throw new IllegalArgumentException();
                }
                out.put(bar, size);
            } catch (RuntimeException e) {
                throw new UsageException("--bar-size " + s
                        + ": expected N=SIZE, N 0..5 and SIZE a power of two (e.g. 0=16K, 2=1M, 4=4096)");
            }
        }
        return out;
    }

    private static long size(String s) {
        String t = s.toUpperCase(Locale.ROOT);
        long unit = t.endsWith("K") ? 1L << 10 : t.endsWith("M") ? 1L << 20 : t.endsWith("G") ? 1L << 30 : 1;
        return Long.parseLong(unit == 1 ? t : t.substring(0, t.length() - 1)) * unit;
    }
}
