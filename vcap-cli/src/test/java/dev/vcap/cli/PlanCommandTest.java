package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.pci.testing.Corpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vcap plan}: outputs, JSON keys, exit codes, every bad option and file, determinism, --emit. */
class PlanCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    Path device(ConfigSpace... cs) throws Exception {
        return TestDevices.write(tmp.resolve("devices.lspci"), cs);
    }

    static CliRun plan(Object... args) {
        List<String> a = new ArrayList<>(List.of("plan", "--no-shipped-quirks"));
        for (Object o : args) {
            a.add(o.toString());
        }
        return CliRun.of(a.toArray(String[]::new));
    }

    static JsonNode json(CliRun run) throws Exception {
        return JSON.readTree(run.out());
    }

    static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    Path quirks(String body) throws Exception {
        return Files.writeString(tmp.resolve("quirks.yaml"), "version: 1\nquirks:\n" + body);
    }

    // ------------------------------------------------------------------ output

    @Test
    void textShowsTheVirtualLayoutWhatIsHiddenAndTheDecisionRecord() throws Exception {
        CliRun run = plan(device(TestDevices.withPasid()), "--pasid");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("0000:01:00.0 Test device 1 [8086:0b25] (4096 bytes, from ")
                .contains("guest-visible capabilities (vfio-pci view, default hiding policy, placement):")
                .contains("    space     offset  id      ver  length  origin       name")
                .contains("    extended  0x100   0x0001  v2   44      physical     Advanced Error Reporting")
                .contains("    extended  0xff8   0x001b  v1   8       synthesized  Process Address Space ID (PASID)")
                .contains("hidden from the guest:")
                .contains("    extended  0x230   0x001b  by host  Process Address Space ID (PASID): vfio-pci (Linux 6.15)"
                        + " hides PASID")
                .contains("    PASID  0xff8        by gap-search: highest-scoring gap (score ")
                .contains("registers: width 16, Exec+ Priv- (the device's physical PASID: width 16, Exec+ Priv-)")
                .contains("           explicit-offset  declined  no offset given for PASID")
                .contains("           quirk-table      declined  no quirk entry matches 8086:0b25")
                .contains("           gap-search       0xff8     highest-scoring gap")
                .contains("rejected (")
                .contains("gap-search 0x100..0x128: 8 bytes would overlap extended Advanced Error Reporting@0x100")
                .contains("gap-search 0x22c..0x234: bytes read non-zero (possible hidden registers)")
                .containsPattern("gap-search: \\d+ free, zero-reading offsets scored lower \\(scores -?\\d+\\.\\.\\d+\\)");
    }

    @Test
    void priAndAtsReplaceTheDevicesOwnWithTheirPhysicalValues() throws Exception {
        CliRun run = plan(device(TestDevices.withPasid()), "--pasid", "--pri", "--ats");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("extended  0x240   0x0013  by vcap  Page Request Interface (PRI): replaced by the synthesized PRI")
                .contains("registers: capacity 128, PRG Response PASID Required+ (the device's physical PRI)")
                .contains("registers: queue depth 5, page aligned+, global invalidate- (the device's physical ATS)")
                .contains("dropped the device's own extended Address Translation Service (ATS)@0x220");
        JsonNode placements = json(plan(device(TestDevices.withPasid()), "--pasid", "--pri", "--ats", "--json"))
                .get("devices").get(0).get("placements");
        assertThat(placements).hasSize(3);
        List<Integer> offsets = new ArrayList<>();
        placements.forEach(p -> offsets.add(p.get("offset").asInt()));
        assertThat(offsets).doesNotHaveDuplicates().allSatisfy(o -> assertThat(o).isGreaterThanOrEqualTo(0x100));
    }

    @Test
    void registerOptionsOverrideTheDefaultsButNeverExceedThePhysicalPasid() throws Exception {
        Path f = device(TestDevices.withPasid());
        assertThat(plan(f, "--pasid", "--pasid-width", "8", "--no-exec", "--priv").out())
                .contains("registers: width 8, Exec- Priv- (the device's physical PASID: width 16, Exec+ Priv-)");
        assertThat(plan(device(TestDevices.clean().build()), "--pasid", "--exec").out())
                .contains("registers: width 20, Exec+ Priv- (no physical PASID)");
        assertThat(plan(device(TestDevices.clean().build()), "--pri", "--pri-capacity", "64", "--ats",
                "--ats-queue-depth", "3").out())
                .contains("registers: capacity 64, PRG Response PASID Required- (no physical PRI)")
                .contains("registers: queue depth 3, page aligned+, global invalidate- (no physical ATS)");
    }

    @Test
    void jsonTopLevelIsExactlyDevicesWithTheDocumentedKeys() throws Exception {
        CliRun run = plan(device(TestDevices.withPasid(), TestDevices.conventional()), "--pasid", "--json");
        assertThat(run.exitCode()).isZero();
        JsonNode root = json(run);
        assertThat(names(root)).containsExactly("devices");
        JsonNode d = root.get("devices").get(0);
        assertThat(names(d)).contains("address", "placements", "capabilities", "hidden", "actions", "skipped", "refused",
                "quirks", "vendorId", "deviceId", "source");
        assertThat(d.get("address").asText()).isEqualTo("0000:01:00.0");
        JsonNode p = d.get("placements").get(0);
        assertThat(names(p)).containsExactly("capability", "offset", "policy", "reason", "refused", "registers",
                "findings", "trail", "rejected");
        assertThat(p.get("capability").asText()).isEqualTo("PASID");
        assertThat(p.get("offset").asInt()).isEqualTo(0xFF8);
        assertThat(p.get("policy").asText()).isEqualTo("gap-search");
        JsonNode registers = p.get("registers");
        assertThat(names(registers)).containsExactly("note", "fields");
        assertThat(registers.get("note").asText()).isEqualTo("width 16, Exec+ Priv- (the device's physical PASID: width"
                + " 16, Exec+ Priv-)");
        assertThat(names(registers.get("fields").get(0))).containsExactly("register", "field", "offset", "bitLow",
                "bitHigh", "value", "meaning");
        Map<String, Long> fields = new java.util.LinkedHashMap<>();
        registers.get("fields").forEach(f -> fields.put(f.get("register").asText() + "/" + f.get("field").asText(),
                f.get("value").asLong()));
        assertThat(fields).containsEntry("PASID Capability/Max PASID Width", 16L)
                .containsEntry("PASID Capability/Execute Permission Supported", 1L)
                .containsEntry("PASID Capability/Privileged Mode Supported", 0L)
                .containsEntry("PASID Control/PASID Enable", 0L);
        assertThat(registers.get("fields").get(0).get("offset").asInt()).isEqualTo(0xFF8 + 4);
        assertThat(p.get("trail")).hasSize(7);
        assertThat(names(p.get("trail").get(0))).containsExactly("policy", "outcome", "offset", "reason");
        assertThat(names(p.get("rejected").get(0))).containsExactly("policy", "first", "last", "reason");
        JsonNode cap = d.get("capabilities").get(0);
        assertThat(names(cap)).containsExactly("space", "offset", "id", "version", "name", "length", "lengthKnown",
                "origin");
        assertThat(d.get("capabilities").findValuesAsText("origin")).contains("physical", "synthesized");
        assertThat(names(d.get("hidden").get(0))).containsExactly("space", "offset", "id", "version", "name", "length",
                "by", "reason");
        JsonNode conventional = root.get("devices").get(1);
        assertThat(conventional.get("skipped").asText()).startsWith("not a PCI Express function");
        assertThat(conventional.get("placements")).isEmpty();
    }

    @Test
    void aDeviceWithoutExtendedSpaceIsToldWhyNothingIsPlaced() throws Exception {
        CliRun run = plan(device(TestDevices.conventional()), "--pasid");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("nothing placed: not a PCI Express function: it has no extended capability list");
    }

    // ------------------------------------------------------------------ policies through the CLI

    @Test
    void anExplicitOffsetIsUsed() throws Exception {
        CliRun run = plan(device(TestDevices.clean().build()), "--pasid", "--pasid-offset", "0x400");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("PASID  0x400        by explicit-offset: the offset given for PASID");
    }

    @Test
    void anExplicitOffsetInsideACapabilityIsRefusedNamingIt() throws Exception {
        CliRun run = plan(device(TestDevices.clean().build()), "--pasid", "--pasid-offset", "104");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.err()).contains("vcap: refused: 0000:01:00.0: PASID refused by explicit-offset: the offset given"
                + " for PASID, 0x104, cannot be used: 8 bytes at 0x104 would overlap extended Advanced Error"
                + " Reporting@0x100 (44 bytes, physical)");
        assertThat(run.out()).contains("PASID  REFUSED").doesNotContain("0xff8");
    }

    @Test
    void anExplicitOffsetInAQuirkForbiddenRangeIsRefusedNamingBoth() throws Exception {
        Path q = quirks("""
                  - id: test-hidden
                    match: {vendor: 0x8086, device: 0x0b25}
                    forbid:
                      - {range: 0x800-0x8ff, reason: TEST_REG}
                    source: a test
                """);
        CliRun run = plan(device(TestDevices.clean().build()), "--pasid", "--pasid-offset", "0x810", "--quirks", q);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.err()).contains("the offset given for PASID, 0x810, cannot be used: covers 0x800-0x8ff,"
                + " forbidden by quirk 'test-hidden' (TEST_REG)");
        assertThat(run.out()).contains("matching quirks:").contains("test-hidden: forbids 0x800-0x8ff (TEST_REG)");
    }

    @Test
    void aQuirkPreferredOffsetWins() throws Exception {
        Path q = quirks("""
                  - id: prefer-d00
                    match: {vendor: 0x8086}
                    prefer: [{capability: PASID, offset: 0xd00, reason: vendor guidance}]
                    source: a test
                """);
        CliRun run = plan(device(TestDevices.clean().build()), "--pasid", "--quirks", q);
        assertThat(run.out()).contains("PASID  0xd00        by quirk-table: preferred by quirk 'prefer-d00' (vendor guidance)");
    }

    @Test
    void declaredFreeRangesArePlacedInFirst() throws Exception {
        CliRun run = plan(device(TestDevices.clean().build()), "--pasid", "--pri", "--free", "0xd00-0xd0f,0xf00-0xfff");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("PASID  0xd00        by free-ranges")
                .contains("PRI    0xf00        by free-ranges");
    }

    @Test
    void aVfMirrorsItsPf() throws Exception {
        Path pf = TestDevices.write(tmp.resolve("pf.lspci"), TestDevices.withPasid());
        CliRun run = plan(device(TestDevices.clean().build()), "--pasid", "--pf", pf);
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("PASID  0x230        by vf-mirror: the PF has its PASID at 0x230")
                .contains("registers: width 16, Exec+ Priv- (the PF's physical PASID: width 16, Exec+ Priv-)");
    }

    @Test
    void vfPlansTheFirstVfOfEachPfAsTheSimulatedHostDerivesIt() throws Exception {
        Path f = device(TestDevices.sriovPf());
        CliRun run = plan(f, "--vf", "--pasid", "--pri", "--ats");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("0000:01:00.1 VF 0 of 0000:01:00.0 (derived): Test device 1 [8086:0b26]")
                .contains("PASID  0x230        by vf-mirror: the PF has its PASID at 0x230")
                .contains("registers: width 16, Exec+ Priv- (the PF's physical PASID: width 16, Exec+ Priv-)")
                .contains("PRI    0x240        by vf-mirror: the PF has its PRI at 0x240")
                .contains("ATS    0x220        by vf-mirror: the PF has its ATS at 0x220")
                .doesNotContain("Single Root I/O Virtualization").doesNotContain("Latency Tolerance");
        CliRun none = plan(device(TestDevices.withPasid()), "--vf", "--pasid");
        assertThat(none.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(none.err()).isEqualTo("vcap: refused: 0000:01:00.0: --vf: no VF to derive: the function has no"
                + " SR-IOV capability, or its TotalVFs is 0\n");
        CliRun both = plan(f, "--vf", "--pasid", "--pf", f);
        assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).startsWith("vcap: --vf takes each device as its own VFs' PF; --pf names the PF of VF"
                + " dumps: give one of them");
    }

    @Test
    void noGapSearchLeavesPasidNotExposedAndExitsZero() throws Exception {
        CliRun run = plan(device(TestDevices.clean().build()), "--pasid", "--no-gap-search");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("PASID  not exposed  by not-exposed: PASID is not exposed: explicit-offset:")
                .contains("gap-search: gap search turned off");
    }

    @Test
    void aLayoutFilePlacesAndWithholds() throws Exception {
        Path layout = Files.writeString(tmp.resolve("layout.yaml"), """
                version: 1
                name: test-model
                match: {vendor: 0x8086, device: 0x0b25}
                capabilities:
                  - {capability: EXP, offset: 0x40, disposition: passthrough}
                  - {capability: AER, offset: 0x100, disposition: passthrough}
                  - {capability: LTR, offset: 0x150, disposition: hide}
                  - {capability: PASID, offset: 0x300, disposition: synthesize}
                """);
        CliRun run = plan(device(TestDevices.clean().build()), "--pasid", "--pri", "--layout", layout);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("PASID  0x300        by layout-file: layout 'test-model' (" + layout + ":8)")
                .contains("PRI    not exposed  by layout-file: layout 'test-model' does not expose PRI")
                .contains("hid extended Latency Tolerance Reporting@0x150");
    }

    @Test
    void aLayoutThatDoesNotDescribeTheDeviceIsARefusal() throws Exception {
        Path layout = Files.writeString(tmp.resolve("layout.yaml"), """
                version: 1
                name: other-model
                match: {vendor: 0x8086, device: 0x0b25}
                capabilities:
                  - {capability: AER, offset: 0x100, disposition: passthrough}
                  - {capability: PASID, offset: 0x300, disposition: synthesize}
                """);
        CliRun run = plan(device(TestDevices.clean().build()), "--pasid", "--layout", layout);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.err()).contains("vcap: refused: 0000:01:00.0: " + layout + ": layout 'other-model' does not"
                + " describe the device's");
        assertThat(run.out()).contains("REFUSED: " + layout);
    }

    /** A device with a physical PASID (vfio hides it; the host reports it) and {@code tail} at the end. */
    static ConfigSpace pasidDevice(ExtendedCapability tail) {
        return ConfigSpaceBuilder.endpoint(0x10ee, 0x9038).pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x230, ExtendedCapability.PASID, 1, (cs, at) -> cs.setU16(at + 4, 0x1402))
                .extended(tail == ExtendedCapability.LTR ? 0xFF8 : 0xFF0, tail, 1).build();
    }

    @Test
    void qemuCompatPlacesAt0xff8AndWarnsAboutNonZeroBytes() throws Exception {
        ConfigSpace cs = TestDevices.withPasid();
        cs.setU8(0xFF9, 0x10);
        CliRun run = plan(device(cs), "--pasid", "--compat", "qemu");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("PASID  0xff8        by qemu-11.0: QEMU's default vPASID offset 0xff8; warning: 1"
                + " of the 8 bytes read non-zero").contains("           warning: 1 of the 8 bytes read non-zero");
    }

    /** The guest gets the host's PASID register values unchanged (hiod_iommufd_get_pasid_info), not vcap's minimum. */
    @Test
    void qemuCompatTakesTheHostsPasidValues() throws Exception {
        CliRun run = plan(device(TestDevices.withPasid()), "--pasid", "--compat", "qemu");
        assertThat(run.out()).contains("registers: width 16, Exec+ Priv- (the host's, unchanged as QEMU 11.0 takes them"
                + " (hiod_iommufd_get_pasid_info): the device's physical PASID: width 16, Exec+ Priv-)");
        assertUsage(plan(device(TestDevices.withPasid()), "--pasid", "--compat", "qemu", "--pasid-width", "8"),
                "--compat qemu: QEMU 11.0 gives the guest the host's PASID width, Exec and Priv unchanged");
        CliRun none = plan(device(TestDevices.clean().build()), "--pasid", "--compat", "qemu");
        assertThat(none.exitCode()).isZero();
        assertThat(none.out()).contains("PASID  not exposed  by qemu-11.0: the host reports no PASID for a function"
                + " without a PASID capability");
    }

    @Test
    void qemuCompatOverACapabilityBodyShowsTheDamageAndExits4() throws Exception {
        Path emit = tmp.resolve("guest.lspci");
        CliRun run = plan(device(pasidDevice(ExtendedCapability.PRI)), "--pasid", "--compat", "qemu", "--emit", emit);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.out()).contains("PASID  0xff8        by qemu-11.0: QEMU's default vPASID offset 0xff8; error:"
                + " vPASID at 0xff8-0xfff is laid over extended Page Request Interface (PRI)@0xff0")
                .contains("extended  0xff8   0x001b  v1   8       synthesized  Process Address Space ID (PASID)");
        assertThat(run.err()).contains("vcap: refused: 0000:01:00.0: PASID by qemu-11.0: vPASID at 0xff8-0xfff is laid"
                + " over extended Page Request Interface (PRI)@0xff0");
        assertThat(emit).doesNotExist();
    }

    @Test
    void qemuCompatOverACapabilityHeaderLeavesTheVmWithoutPasid() throws Exception {
        CliRun run = plan(device(pasidDevice(ExtendedCapability.LTR)), "--pasid", "--compat", "qemu");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.out()).contains("PASID  not exposed  by qemu-11.0: pcie_insert_capability() refuses QEMU's"
                + " default vPASID offset 0xff8: 0xff8 is inside the header of extended Latency Tolerance Reporting@0xff8");
        assertThat(run.err()).contains("\"vfio: Placing PASID capability at offset 0xff8 failed\" and the VM starts"
                + " without PASID");
    }

    // ------------------------------------------------------------------ usage errors (exit 2)

    @Test
    void conflictingAndIncompleteOptionsAreUsageErrors() throws Exception {
        Path f = device(TestDevices.clean().build());
        assertUsage(plan(f, "--pasid", "--pri", "--compat", "qemu"), "--compat qemu reproduces QEMU 11.0, which"
                + " synthesizes only PASID at 0xff8 or --pasid-offset and has no policy chain; it cannot be combined"
                + " with --pri");
        assertUsage(plan(f, "--pasid", "--compat", "qemu", "--free", "0xd00-0xdff", "--no-gap-search"),
                "it cannot be combined with --free, --no-gap-search");
        assertUsage(plan(f, "--pasid", "--pri-offset", "0x400"), "--pri-offset without --pri: nothing to apply it to");
        assertUsage(plan(f, "--pri", "--pasid-width", "8"), "--pasid-width, --exec and --priv without --pasid");
        assertUsage(plan(f), "nothing to place: give --pasid, --pri and/or --ats");
        assertUsage(plan(f, "--pasid", "--free", "0xd00-0xc00"), "--free: '0xd00-0xc00' ends before it starts");
        assertUsage(plan(f, "--pasid", "--free", "0xd00-0x1000"), "--free: '0xd00-0x1000'");
        assertUsage(plan(f, "--pasid", "--pasid-offset", "0xzz"), "'0xzz' is not a config-space offset; expected hex"
                + " such as 0x230");
        assertUsage(plan(f, "--pasid", "--pasid-width", "21"), "--pasid-width 21: expected 1..20");
        assertUsage(plan(f, "--ats", "--ats-queue-depth", "32"), "--ats-queue-depth 32: expected 0..31");
        assertUsage(plan(f, "--pasid", "--compat", "kvm"), "'kvm': expected vcap or qemu");
        assertUsage(plan("--pasid"), "Missing required parameter: 'FILE'");
    }

    static void assertUsage(CliRun run, String message) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains(message).contains("Try 'vcap plan --help'.");
        assertThat(run.out()).isEmpty();
    }

    // ------------------------------------------------------------------ bad files (exit 3)

    @Test
    void aBadQuirkFileNamesFileLineAndField() throws Exception {
        Path q = quirks("""
                  - id: bad-range
                    match: {vendor: 0x8086}
                    forbid:
                      - {range: 0x900-0x800, reason: X}
                    source: a test
                """);
        CliRun run = plan(device(TestDevices.clean().build()), "--pasid", "--quirks", q);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).isEqualTo("vcap: " + q + ":6: quirks[0].forbid[0].range: '0x900-0x800' ends before it"
                + " starts; expected START-LAST with START <= LAST\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aBadLayoutFileNamesFileLineAndField() throws Exception {
        Path layout = Files.writeString(tmp.resolve("layout.yaml"), """
                version: 1
                match: {vendor: 0x8086}
                capabilities:
                  - {capability: AER, offset: 0x101, disposition: passthrough}
                """);
        CliRun run = plan(device(TestDevices.clean().build()), "--pasid", "--layout", layout);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).isEqualTo("vcap: " + layout + ":4: capabilities[0].offset: 0x101 is not dword aligned;"
                + " expected a multiple of 4\n");
    }

    /** A binary file given as --layout: what was expected, not a decoder's exception. */
    @Test
    void aBinaryLayoutFileSaysWhatWasExpected() throws Exception {
        Path layout = Files.write(tmp.resolve("layout.yaml"), new byte[] {'v', 'e', 'r', 0x0A, (byte) 0xFE, 0x00});
        CliRun run = plan(device(TestDevices.clean().build()), "--pasid", "--layout", layout);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).isEqualTo("vcap: " + layout + ":2: not text: byte 0xfe at offset 4 is not UTF-8; expected"
                + " a layout file (YAML text, docs/LAYOUT.md)\n");
    }

    @Test
    void missingFilesAreBadInput() throws Exception {
        Path f = device(TestDevices.clean().build());
        CliRun quirk = plan(f, "--pasid", "--quirks", tmp.resolve("nope.yaml"));
        assertThat(quirk.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(quirk.err()).isEqualTo("vcap: " + tmp.resolve("nope.yaml") + ": no such file\n");
        CliRun pf = plan(f, "--pasid", "--pf", tmp.resolve("pf.lspci"));
        assertThat(pf.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(pf.err()).isEqualTo("vcap: " + tmp.resolve("pf.lspci") + ": no such file (--pf)\n");
        CliRun dump = plan(tmp.resolve("none.lspci"), "--pasid");
        assertThat(dump.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(dump.err()).isEqualTo("vcap: " + tmp.resolve("none.lspci") + ": no such file or directory\n");
    }

    @Test
    void aPfFileMustHoldOneDevice() throws Exception {
        Path pf = TestDevices.write(tmp.resolve("pf.lspci"), TestDevices.withPasid(), TestDevices.clean().build());
        CliRun run = plan(device(TestDevices.clean().build()), "--pasid", "--pf", pf);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).isEqualTo("vcap: " + pf + ": --pf holds 2 devices; expected the one PF\n");
    }

    @Test
    void aBadDumpIsNamedAndTheOthersArePlanned() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.lspci"), "00:00.0 x\n00: zz\n");
        CliRun run = plan(bad, device(TestDevices.clean().build()), "--pasid", "--json");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).startsWith("vcap: " + bad + ":2: malformed hex line at offset 0x00");
        assertThat(json(run).get("devices")).hasSize(1);
    }

    // ------------------------------------------------------------------ --emit

    @Test
    void emitWritesTheGuestConfigSpaceAsLspciText() throws Exception {
        Path out = tmp.resolve("guest.lspci");
        CliRun run = plan(device(TestDevices.withPasid(), TestDevices.conventional()), "--pasid", "--emit", out);
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<DeviceImage> guest = Dumps.readAll(out);
        assertThat(guest).hasSize(2);
        CapabilityChain chain = CapabilityChain.walk(guest.get(0).config());
        assertThat(chain.extended()).filteredOn(c -> c.is(ExtendedCapability.PASID)).extracting(Capability::offset)
                .containsExactly(0xFF8);
        assertThat(guest.get(1).config().length()).isEqualTo(256);
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void aRefusedPlanEmitsNothingAndLeavesNoTemporaryFile() throws Exception {
        Path out = tmp.resolve("guest.lspci");
        Files.writeString(out, "an older file\n");
        CliRun run = plan(device(TestDevices.clean().build()), "--pasid", "--pasid-offset", "0x100", "--emit", out);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.err()).contains("vcap: " + out + " not written: a placement was refused");
        assertThat(Files.readString(out)).isEqualTo("an older file\n");
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void emitRefusesTwoDevicesWithOneAddress() throws Exception {
        Path a = TestDevices.write(tmp.resolve("a.lspci"), TestDevices.clean().build());
        Path b = TestDevices.write(tmp.resolve("b.lspci"), TestDevices.clean().build());
        Path out = tmp.resolve("guest.lspci");
        CliRun run = plan(a, b, "--pasid", "--emit", out);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("--emit: 0000:01:00.0 is the address of two devices");
        assertThat(out).doesNotExist();
    }

    // ------------------------------------------------------------------ determinism

    @Test
    void twoRunsAreByteIdentical() throws Exception {
        Path f = device(TestDevices.withPasid(), TestDevices.tailByte(), TestDevices.conventional());
        for (String mode : List.of("--pasid", "--json")) {
            CliRun first = plan(f, "--pasid", "--pri", "--ats", mode);
            CliRun second = plan(f, "--pasid", "--pri", "--ats", mode);
            assertThat(second.out()).isEqualTo(first.out());
        }
        Path one = tmp.resolve("one.lspci");
        Path two = tmp.resolve("two.lspci");
        plan(f, "--pasid", "--pri", "--ats", "--emit", one);
        plan(f, "--pasid", "--pri", "--ats", "--emit", two);
        assertThat(Files.readAllBytes(two)).isEqualTo(Files.readAllBytes(one));
    }

    // ------------------------------------------------------------------ chain findings

    /**
     * A looping standard chain (MSI-X points back to PM) and an extended chain that runs into ID
     * 0xffff: plan places as usual over what the walk found, and says what it found, as inspect does.
     */
    @Test
    void aLoopingOrBrokenChainIsReportedAsInspectReportsIt() throws Exception {
        ConfigSpace cs = TestDevices.clean().standard(0x80, StandardCapability.MSIX)
                .standard(0x90, StandardCapability.PM).build();
        cs.setU8(0x91, 0x80);                                         // PM -> MSI-X -> PM: a loop
        cs.setU32(0x150, ExtendedCapability.header(0x18, 1, 0x400));  // LTR -> 0x400
        cs.setU32(0x400, 0xFFFF_FFFF);                                // chain broken at 0x400
        Path dump = device(cs);
        String inspect = CliRun.of("inspect", dump.toString()).out();
        List<String> expected = inspect.lines().filter(l -> l.matches("    (info|warning|error) .*")).toList();
        assertThat(expected).anyMatch(l -> l.startsWith("    error loop @0x80"))
                .anyMatch(l -> l.startsWith("    error chain-broken @0x400"));

        CliRun run = plan(dump, "--pasid");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("  chain findings (the dump's, as vcap inspect reports them):\n"
                + String.join("\n", expected) + "\n").contains("PASID  0xff8");

        JsonNode findings = json(plan(dump, "--pasid", "--json")).get("devices").get(0).get("findings");
        JsonNode inspected = JSON.readTree(CliRun.of("inspect", "--json", dump.toString()).out()).get("devices").get(0)
                .get("findings");
        assertThat(findings).isEqualTo(inspected);
        assertThat(findings.findValuesAsText("kind")).contains("loop", "chain-broken");
    }

    // ------------------------------------------------------------------ corpus

    @Test
    void theCorpusDsaGetsPasidAt0xff8AndItsOwnIsHidden() {
        Path dsa = Corpus.require().resolve("dumps/pciutils_pri-pasid__6a-01.0__8086-0b25.lspci");
        CliRun run = plan(dsa, "--pasid", "--pri", "--ats");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("extended  0x230   0x001b  by host  Process Address Space ID (PASID)")
                .contains("PASID  0xff8        by gap-search")
                .contains("gap-search 0x4fc..0x500: bytes read non-zero (possible hidden registers)");
    }

    @Test
    void theJmicronCardReaderAvoidsItsNonZeroBytesAt0xff8() {
        Path jmb38x = Corpus.require().resolve("dumps/gh-alienware-m11x__1a-00.0__197b-2382.lspci");
        CliRun run = plan(jmb38x, "--pasid");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("gap-search 0x[0-9a-f]{3}\\.\\.0xff8: bytes read non-zero \\(possible"
                + " hidden registers\\)").doesNotContain("PASID  0xff8");
    }

    /** The Alienware's 8086:2a41 (00:01.0) is a PCI Express root port: vfio-pci does not bind it. */
    @Test
    void theAlienwareRootPortIsNotAssignable() {
        Path m11x = Corpus.require().resolve("dumps/gh-alienware-m11x__00-01.0__8086-2a41.lspci");
        CliRun run = plan(m11x, "--pasid");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.out()).contains("REFUSED: not assignable: vfio-pci binds only type 0 functions")
                .doesNotContain("PASID  0x");
    }
}
