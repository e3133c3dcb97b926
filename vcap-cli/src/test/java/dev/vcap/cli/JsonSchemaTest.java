package dev.vcap.cli;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.vcap.linux.sys.Downcall;
import dev.vcap.linux.sys.Fd;
import dev.vcap.linux.sys.Libc;
import dev.vcap.linux.testing.FakeSysfs;
import dev.vcap.vfiouser.protocol.Command;
import dev.vcap.vfiouser.protocol.Frames;
import dev.vcap.vfiouser.protocol.Header;
import dev.vcap.vfiouser.testing.VfioUserClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every JSON Schema in docs/schema against the real output of the commands it describes. A new
 * schema needs no change here. Every command with a {@code --json} option must have a schema named
 * after it.
 *
 * <p>Each schema lists its runs under {@code x-vcap-runs}, one object per run:
 * <dl>
 * <dt>{@code args}</dt><dd>the command line, with the fixtures below as placeholders (required)</dd>
 * <dt>{@code exit}</dt><dd>the expected exit code; 0 when absent</dd>
 * <dt>{@code output}</dt><dd>{@code stdout} (one JSON document, the default), {@code lines} (JSON
 *     Lines: one document per line, nothing before or after it on the line) or a placeholder naming
 *     the file the run writes</dd>
 * <dt>{@code client}</dt><dd>for a command that serves a vfio-user socket ({@code vcap serve}): the
 *     command runs in the background; once it reports {@code listening} (the socket given to
 *     {@code --socket} then accepts connections: its file exists from {@code bind}), a vfio-user
 *     client ({@link VfioUserClient}, over the real socket) takes these steps in order, then the
 *     command must end within 30 s. A step needing a connection opens one when none is open.
 *     Steps: {@code version} (VERSION); {@code info} (DEVICE_GET_INFO, the config region's
 *     REGION_INFO, INTx's IRQ_INFO); {@code pasid} (finds the PASID capability with config reads and
 *     sets PASID Enable: a VMM event); {@code command} (writes the Command register: memory and bus
 *     master reach the device); {@code flr} (sets Initiate FLR in Device Control); {@code irqs}
 *     (SET_IRQS with an eventfd sent as SCM_RIGHTS); {@code unknown} (an undefined command number: an
 *     error reply); {@code reset} (DEVICE_RESET); {@code malformed} (a header whose size is below 16:
 *     the server must close the connection, then waits for the next client); {@code disconnect}
 *     (closes the connection cleanly: the server stops); {@code control LINE} (writes LINE, with
 *     placeholders, to the FIFO given to {@code --control} and waits for the server's answer: a
 *     migration or error-reply event)</dd>
 * <dt>{@code events}</dt><dd>with {@code lines}: values of the {@code event} key that must occur
 *     among the documents, so that a run exercises the schema's branches it means to</dd>
 * </dl>
 *
 * <p>Fixtures: {@code {dsa}} one device with its own PASID, PRI and ATS; {@code {hosts}} that device,
 * one without PASID, one with a non-zero byte at 0xff9 and a conventional device; {@code {dir}} a
 * directory holding {@code hosts.lspci} and a malformed dump; {@code {contract}} a contract planned
 * on {@code {dsa}}; {@code {garbage}} a file that is not JSON; {@code {root}} the repository;
 * {@code {bare}} a sysfs and /dev tree (FakeSysfs: {@code sys/}, {@code dev/}) with an AHCI
 * controller and no iommufd; {@code {vfiohost}} one with iommufd and the vfio files: a function and a
 * PF bound to vfio-pci, and a VF of another PF (device files are plain files there: every ioctl is
 * ENOTTY). Fresh for each run: {@code {out}} a path, {@code {socket}} a socket path, {@code {fifo}} a
 * FIFO.
 */
class JsonSchemaTest {

    static final Path SCHEMAS = Path.of("..", "docs", "schema");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static final Downcall MKFIFO = Downcall.libc("mkfifo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final Duration SERVE_LIMIT = Duration.ofSeconds(30);

    static Map<String, String> fixtures = new LinkedHashMap<>();
    static int outputs;

    @BeforeAll
    static void fixtures() throws IOException {
        Path dsa = TestDevices.write(tmp.resolve("dsa.lspci"), TestDevices.withPasid());
        Path dir = Files.createDirectories(tmp.resolve("dumps"));
        Path hosts = TestDevices.write(dir.resolve("hosts.lspci"), TestDevices.withPasid(), TestDevices.clean().build(),
                TestDevices.tailByte(), TestDevices.conventional());
        Files.writeString(dir.resolve("bad.lspci"), "00:01.0 Bad\n00: zz\n");
        Path contract = tmp.resolve("dsa.contract.json");
        CliRun plan = CliRun.of("plan", dsa.toString(), "--pasid", "--pri", "--contract", contract.toString());
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        Path garbage = Files.writeString(tmp.resolve("garbage.json"), "not a contract\n");
        fixtures.put("{dsa}", dsa.toString());
        fixtures.put("{hosts}", hosts.toString());
        fixtures.put("{dir}", dir.toString());
        fixtures.put("{contract}", contract.toString());
        fixtures.put("{garbage}", garbage.toString());
        fixtures.put("{root}", Path.of("..").toAbsolutePath().normalize().toString());
        FakeSysfs bare = new FakeSysfs(tmp.resolve("bare"));
        bare.function("0000:00:1f.2").ids(0x8086, 0x2922).classCode(0x010601).driver("ahci").group(3);
        FakeSysfs vfio = new FakeSysfs(tmp.resolve("vfiohost")).iommufd().vfioContainer();
        vfio.function("0000:01:00.0").driver("vfio-pci").group(7).vfio("vfio0").groupFile(7);
        vfio.function("0000:03:00.0").ids(0x8086, 0x1521).driver("igb").sriov(7, 1).virtfn(0, "0000:03:10.0");
        vfio.function("0000:03:10.0").ids(0x8086, 0x1520).driver("vfio-pci").group(20).vfio("vfio1")
                .physfn("0000:03:00.0");
        vfio.function("0000:04:00.0").ids(0x15b3, 0x101d).driver("vfio-pci").group(21).vfio("vfio2").sriov(8, 0);
        fixtures.put("{bare}", tmp.resolve("bare").toString());
        fixtures.put("{vfiohost}", tmp.resolve("vfiohost").toString());
    }

    static List<Path> schemas() throws IOException {
        try (Stream<Path> files = Files.list(SCHEMAS)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".schema.json")).sorted().toList();
        }
    }

    /**
     * A schema, its references to the others ({@code plan.schema.json#/...}, resolved against its
     * {@code $id}) read from docs/schema; nothing else is fetched.
     */
    static Schema load(Path file) throws IOException {
        String ids = "https://vcap.dev/schema/";
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                b -> b.schemaLoader(l -> l.fetchRemoteResources().allow(iri -> iri.toString().startsWith(ids))
                        .schemaIdResolvers(r -> r.mapPrefix(ids, SCHEMAS.toAbsolutePath().normalize().toUri()
                                .toString()))));
        try (var in = Files.newInputStream(file)) {
            return registry.getSchema(in);
        }
    }

    static String substitute(String arg, String out) {
        String s = arg.replace("{out}", out).replace("{socket}", out + ".sock").replace("{fifo}", out + ".fifo");
        for (var f : fixtures.entrySet()) {
            s = s.replace(f.getKey(), f.getValue());
        }
        assertThat(s).as("unknown placeholder in %s", arg).doesNotContainPattern("\\{[a-z]+}");
        return s;
    }

    /** The documents one run produced. */
    static List<JsonNode> run(JsonNode spec) throws Exception {
        String out = tmp.resolve("out-" + outputs++).toString();
        List<String> args = new ArrayList<>();
        spec.get("args").forEach(a -> args.add(substitute(a.asText(), out)));
        CliRun run = spec.has("client") ? serve(args, spec.get("client"), out) : CliRun.of(args.toArray(String[]::new));
        int exit = spec.has("exit") ? spec.get("exit").asInt() : 0;
        assertThat(run.exitCode()).as("exit code of vcap %s; stderr: %s", args, run.err()).isEqualTo(exit);
        String output = spec.has("output") ? spec.get("output").asText() : "stdout";
        List<JsonNode> docs = new ArrayList<>();
        switch (output) {
            case "stdout" -> docs.add(JSON.readTree(run.out()));
            case "lines" -> {
                for (String line : run.out().lines().toList()) {
                    assertThat(line).as("a JSON Lines line of vcap %s", args).isEqualTo(line.strip()).isNotEmpty();
                    docs.add(JSON.readTree(line));
                }
            }
            default -> docs.add(JSON.readTree(Path.of(substitute(output, out)).toFile()));
        }
        assertThat(docs).as("documents from vcap %s", args).isNotEmpty();
        if (spec.has("events")) {
            List<String> seen = docs.stream().map(d -> d.path("event").asText()).distinct().toList();
            spec.get("events").forEach(e -> assertThat(seen).as("events of vcap %s", args).contains(e.asText()));
        }
        return docs;
    }

    /**
     * Runs a serving command in the background, drives it through its socket with the client steps,
     * and waits for it to end.
     */
    static CliRun serve(List<String> args, JsonNode steps, String out) throws Exception {
        Path socket = Path.of(args.get(args.indexOf("--socket") + 1));
        Path control = args.contains("--control") ? Path.of(args.get(args.indexOf("--control") + 1)) : null;
        if (control != null) {
            try (Arena arena = Arena.ofConfined()) {
                MKFIFO.invoke("mkfifo " + control, arena.allocateFrom(control.toString()), 0600);
            }
        }
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        FutureTask<Integer> command = new FutureTask<>(() -> Main.run(args.toArray(String[]::new), stdout, stderr));
        Thread serving = Thread.ofPlatform().name("vcap " + args.getFirst()).daemon().start(command);
        try {
            long deadline = System.nanoTime() + SERVE_LIMIT.toNanos();
            while (!stdout.toString(StandardCharsets.UTF_8).contains("{\"event\":\"listening\"")) {
                assertThat(command.isDone()).as("vcap %s ended before listening: %s", args, stderr).isFalse();
                assertThat(System.nanoTime()).as("vcap %s listens on %s", args, socket).isLessThan(deadline);
                Thread.sleep(10);
            }
            try (ServeClient client = new ServeClient(socket, control, stdout, out)) {
                for (JsonNode step : steps) {
                    client.step(step.asText());
                }
            }
            int exit = command.get(SERVE_LIMIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(Files.exists(socket, LinkOption.NOFOLLOW_LINKS)).as("the socket file is removed").isFalse();
            return new CliRun(exit, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        } finally {
            serving.interrupt();
        }
    }

    /** The client side of a {@code client} run: one vfio-user connection at a time, and the control FIFO. */
    static final class ServeClient implements AutoCloseable {
        private final Path socket;
        private final Path control;
        private final ByteArrayOutputStream log;
        private final String out;
        private VfioUserClient connection;

        ServeClient(Path socket, Path control, ByteArrayOutputStream log, String out) {
            this.socket = socket;
            this.control = control;
            this.log = log;
            this.out = out;
        }

        private VfioUserClient connection() throws IOException {
            if (connection == null) {
                connection = VfioUserClient.connect(socket);
            }
            return connection;
        }

        void step(String step) throws Exception {
            if (step.startsWith("control ")) {
                control(substitute(step.substring("control ".length()), out));
                return;
            }
            switch (step) {
                case "version" -> assertThat(VfioUserClient.header(connection().version(
                        "{\"capabilities\":{\"max_msg_fds\":8}}")).flags()).isEqualTo(Header.TYPE_REPLY);
                case "info" -> {
                    ok(connection().call(Command.DEVICE_GET_INFO, Frames.le(16, 0, 0, 0)));
                    ok(connection().call(Command.DEVICE_GET_REGION_INFO, Frames.le(32, 0,
                            VfioUserClient.CONFIG_REGION, 0, 0, 0, 0, 0)));
                    ok(connection().call(Command.DEVICE_GET_IRQ_INFO, Frames.le(16, 0, 0, 0)));
                }
                case "pasid" -> {
                    int pasid = connection().findExtended(0x1b);
                    assertThat(pasid).as("the served device has a PASID capability").isNotZero();
                    connection().configWrite(pasid + 6, 2, 1);
                    assertThat(connection().configRead(pasid + 6, 2)).as("PASID Enable").isEqualTo(1);
                }
                case "command" -> connection().configWrite(4, 2, 0x0006);
                case "flr" -> {
                    int exp = connection().findStandard(0x10);
                    assertThat(exp).as("the served device is PCI Express").isNotZero();
                    connection().configWrite(exp + 8, 2, connection().configRead(exp + 8, 2) | 0x8000);
                }
                case "irqs" -> {
                    try (Fd eventfd = Fd.adopt(Libc.eventfd(0, 0), "eventfd")) {
                        connection().call(Command.DEVICE_SET_IRQS, Frames.le(20, 0x24, 0, 0, 1), eventfd.number());
                    }
                }
                case "unknown" -> assertThat(VfioUserClient.header(connection().call(0x7f, new byte[0])).error())
                        .isEqualTo(38);
                case "reset" -> ok(connection().call(Command.DEVICE_RESET, new byte[0]));
                case "malformed" -> {
                    ByteBuffer h = ByteBuffer.allocate(Header.LENGTH);
                    new Header(99, Command.REGION_READ.number(), 8, 0, 0).encode(h);
                    connection().send(h.flip());
                    assertThat(connection().closedByServer()).as("the server closed the connection").isTrue();
                    connection.close();
                    connection = null;
                }
                case "disconnect" -> {
                    connection().close();
                    connection = null;
                }
                default -> throw new AssertionError("unknown client step: " + step);
            }
        }

        private static void ok(ByteBuffer reply) {
            assertThat(VfioUserClient.header(reply).flags()).as("%s", VfioUserClient.header(reply))
                    .isEqualTo(Header.TYPE_REPLY);
        }

        /** Writes one line to the control FIFO and waits for the migration or error-reply event it causes. */
        private void control(String line) throws Exception {
            assertThat(control).as("a control step needs --control").isNotNull();
            long before = answers();
            CompletableFuture.runAsync(() -> {
                try {
                    Files.writeString(control, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(SERVE_LIMIT.toSeconds(), TimeUnit.SECONDS);
            long deadline = System.nanoTime() + SERVE_LIMIT.toNanos();
            while (answers() == before) {
                assertThat(System.nanoTime()).as("vcap serve answers '%s'", line).isLessThan(deadline);
                Thread.sleep(10);
            }
        }

        private long answers() {
            return log.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{\"event\":\"migration\"")
                    || l.startsWith("{\"event\":\"error-reply\",\"command\":\"control\"")).count();
        }

        @Override
        public void close() {
            if (connection != null) {
                connection.close();
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everySchemaAcceptsTheOutputOfItsRunsAndRejectsAnUnknownKey() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : schemas()) {
            JsonNode runs = JSON.readTree(file.toFile()).get("x-vcap-runs");
            tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
                assertThat(runs).as("%s lists its runs under x-vcap-runs", file).isNotNull();
                assertThat(runs.size()).isPositive();
                Schema schema = load(file);
                for (JsonNode spec : runs) {
                    for (JsonNode doc : run(spec)) {
                        List<Error> errors = schema.validate(doc);
                        assertThat(errors).as("%s against the output of %s:%n%s", file.getFileName(), spec.get("args"),
                                doc.toString().substring(0, Math.min(2000, doc.toString().length()))).isEmpty();
                        ObjectNode extended = doc.deepCopy();
                        extended.put("undocumentedKey", 1);
                        assertThat(schema.validate(extended)).as("%s rejects a key it does not document",
                                file.getFileName()).isNotEmpty();
                    }
                }
            }));
        }
        return tests.stream();
    }

    @Test
    void everyCommandWithJsonOutputHasASchema() throws IOException {
        List<String> names = schemas().stream().map(f -> f.getFileName().toString()).toList();
        for (dev.vcap.cli.args.CommandDef<?> c : Main.ROOT.commands()) {
            if (c.find("--json") != null) {
                assertThat(names).as("docs/schema has a schema for vcap %s --json", c.name())
                        .contains(c.name() + ".schema.json");
            }
        }
    }

    @Test
    void theValidatorCatchesAWrongTypeDeepInADocument() throws Exception {
        Schema plan = load(SCHEMAS.resolve("plan.schema.json"));
        JsonNode doc = run(JSON.readTree("{\"args\": [\"plan\", \"--json\", \"{dsa}\", \"--pasid\"]}")).getFirst();
        assertThat(plan.validate(doc)).isEmpty();
        ((ObjectNode) doc.get("devices").get(0).get("placements").get(0)).put("offset", "0xff8");
        assertThat(plan.validate(doc)).extracting(Error::toString)
                .anySatisfy(m -> assertThat(m).contains("/devices/0/placements/0/offset").contains("string found"));
    }
}
