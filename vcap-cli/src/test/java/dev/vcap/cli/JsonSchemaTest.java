package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every JSON Schema in docs/schema against the real output of the commands it describes. Each schema
 * lists its runs under {@code x-vcap-runs}: {@code args} (with the fixtures below as placeholders),
 * the expected {@code exit} code (0 when absent), and {@code output}: {@code stdout} (one JSON
 * document, the default), {@code lines} (one document per line) or a placeholder naming the file the
 * run writes. A new schema needs no change here. Every command with a {@code --json} option must
 * have a schema named after it.
 *
 * <p>Fixtures: {@code {dsa}} one device with its own PASID, PRI and ATS; {@code {hosts}} that device,
 * one without PASID, one with a non-zero byte at 0xff9 and a conventional device; {@code {dir}} a
 * directory holding {@code hosts.lspci} and a malformed dump; {@code {contract}} a contract planned
 * on {@code {dsa}}; {@code {garbage}} a file that is not JSON; {@code {out}} a fresh path;
 * {@code {root}} the repository.
 */
class JsonSchemaTest {

    static final Path SCHEMAS = Path.of("..", "docs", "schema");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

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
    }

    static List<Path> schemas() throws IOException {
        try (Stream<Path> files = Files.list(SCHEMAS)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".schema.json")).sorted().toList();
        }
    }

    static Schema load(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        }
    }

    static String substitute(String arg, String out) {
        String s = arg.replace("{out}", out);
        for (var f : fixtures.entrySet()) {
            s = s.replace(f.getKey(), f.getValue());
        }
        assertThat(s).as("unknown placeholder in %s", arg).doesNotContainPattern("\\{[a-z]+}");
        return s;
    }

    /** The documents one run produced. */
    static List<JsonNode> run(JsonNode spec) throws IOException {
        String out = tmp.resolve("out-" + outputs++).toString();
        List<String> args = new ArrayList<>();
        spec.get("args").forEach(a -> args.add(substitute(a.asText(), out)));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        int exit = spec.has("exit") ? spec.get("exit").asInt() : 0;
        assertThat(run.exitCode()).as("exit code of vcap %s; stderr: %s", args, run.err()).isEqualTo(exit);
        String output = spec.has("output") ? spec.get("output").asText() : "stdout";
        List<JsonNode> docs = new ArrayList<>();
        switch (output) {
            case "stdout" -> docs.add(JSON.readTree(run.out()));
            case "lines" -> {
                for (String line : run.out().lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
                    docs.add(JSON.readTree(line));
                }
            }
            default -> docs.add(JSON.readTree(Path.of(substitute(output, out)).toFile()));
        }
        assertThat(docs).as("documents from vcap %s", args).isNotEmpty();
        return docs;
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
        for (CommandLine c : ManPages.documented(Main.commandLine())) {
            if (c.getCommandSpec().findOption("--json") != null) {
                assertThat(names).as("docs/schema has a schema for vcap %s --json", c.getCommandName())
                        .contains(c.getCommandName() + ".schema.json");
            }
        }
    }

    @Test
    void theValidatorCatchesAWrongTypeDeepInADocument() throws IOException {
        Schema plan = load(SCHEMAS.resolve("plan.schema.json"));
        JsonNode doc = run(JSON.readTree("{\"args\": [\"plan\", \"--json\", \"{dsa}\", \"--pasid\"]}")).getFirst();
        assertThat(plan.validate(doc)).isEmpty();
        ((ObjectNode) doc.get("devices").get(0).get("placements").get(0)).put("offset", "0xff8");
        assertThat(plan.validate(doc)).extracting(Error::toString)
                .anySatisfy(m -> assertThat(m).contains("/devices/0/placements/0/offset").contains("string found"));
    }
}
