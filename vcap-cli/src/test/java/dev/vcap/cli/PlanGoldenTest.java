package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.pci.dump.LspciTextWriter;
import dev.vcap.pci.testing.Corpus;
import dev.vcap.pci.testing.Lspci;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vcap plan --emit} against pciutils: every PCI Express device of the corpus with 4 KiB
 * config space gets PASID, PRI and ATS; lspci -F reads the emitted guest config space and must show
 * each synthesized capability where the plan says, with the register values the plan reports, and
 * every other capability the guest sees exactly as it decodes in the guest's space before placement
 * (vfio-pci's view after the hiding policy). Extended capabilities that stay physical must also
 * decode exactly as in the original dump.
 */
class PlanGoldenTest {

    @TempDir
    Path tmp;

    @Test
    void lspciShowsTheSynthesizedCapabilitiesWhereThePlanSaysAndEverythingElseUnchanged() throws Exception {
        Corpus.require();
        Lspci.require();
        List<DeviceImage> devices = new ArrayList<>();
        for (Path file : Corpus.dumps()) {
            try {
                for (DeviceImage d : Dumps.readAll(file)) {
                    if (DeviceChecks.incomplete(d) == null && DeviceChecks.notAssignable(d) == null
                            && DevicePlan.skipReason(d.config(), CapabilityChain.walk(d.config())) == null) {
                        int i = devices.size();
                        devices.add(new DeviceImage(new PciAddress(i >> 8, i & 0xFF, 0, 0), "corpus device", d.config(),
                                d.origin()));
                    }
                }
            } catch (DumpFormatException e) {
                // the files without a device header line
            }
        }
        assertThat(devices).hasSizeGreaterThan(100);
        Path input = tmp.resolve("input.lspci");
        Path before = tmp.resolve("before.lspci");
        try (OutputStream in = Files.newOutputStream(input); OutputStream bf = Files.newOutputStream(before)) {
            LspciTextWriter inWriter = new LspciTextWriter(in);
            LspciTextWriter beforeWriter = new LspciTextWriter(bf);
            for (DeviceImage d : devices) {
                inWriter.write(d);
                beforeWriter.write(new DeviceImage(d.address(), d.description(), SurveyRow.guest(d).guestImage(),
                        d.origin()));
            }
        }
        Path emitted = tmp.resolve("guest.lspci");
        CliRun run = CliRun.of("plan", "--no-shipped-quirks", input.toString(), "--pasid", "--pri", "--ats", "--emit",
                emitted.toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode plans = new ObjectMapper().readTree(run.out()).get("devices");
        assertThat(plans).hasSize(devices.size());

        List<List<Lspci.Block>> original = Lspci.blocks(Lspci.verbose(input));
        List<List<Lspci.Block>> guestBefore = Lspci.blocks(Lspci.verbose(before));
        List<List<Lspci.Block>> guestAfter = Lspci.blocks(Lspci.verbose(emitted));
        assertThat(guestAfter).hasSize(devices.size());
        int synthesized = 0;
        for (int i = 0; i < devices.size(); i++) {
            String name = devices.get(i).origin();
            Map<String, Lspci.Block> after = byKey(guestAfter.get(i));
            Set<String> replaced = new java.util.HashSet<>();
            for (JsonNode p : plans.get(i).get("placements")) {
                if (p.get("offset").isNull()) {
                    continue;
                }
                synthesized++;
                int offset = p.get("offset").asInt();
                Lspci.Block b = after.get("ext@" + Integer.toHexString(offset));
                assertThat(b).as(name + ": " + p.get("capability").asText() + " at 0x" + Integer.toHexString(offset))
                        .isNotNull();
                assertThat(b.version()).isEqualTo(1);
                switch (p.get("capability").asText()) {
                    case "PASID" -> assertThat(b.text()).as(name).contains("Process Address Space ID (PASID)")
                            .contains("PASIDCtl: Enable- Exec- Priv-");
                    case "PRI" -> assertThat(b.text()).as(name).contains("Page Request Interface (PRI)")
                            .contains("PRICtl: Enable- Reset-").contains("PRISta: RF- UPRGI- Stopped+");
                    case "ATS" -> assertThat(b.text()).as(name).contains("Address Translation Service (ATS)")
                            .contains("ATSCtl:\tEnable-, Smallest Translation Unit: 00");
                    default -> throw new AssertionError(p);
                }
            }
            for (JsonNode h : plans.get(i).get("hidden")) {
                if (h.get("by").asText().equals("vcap")) {
                    replaced.add((h.get("space").asText().equals("extended") ? "ext@" : "std@")
                            + Integer.toHexString(h.get("offset").asInt()));
                }
            }
            for (Lspci.Block b : guestBefore.get(i)) {
                if (replaced.contains(key(b))) {
                    continue; // the device's own PRI or ATS, replaced by a synthesized one
                }
                assertThat(after.get(key(b))).as(name + ": " + b.text().lines().findFirst().orElse("")).isNotNull()
                        .extracting(Lspci.Block::text).isEqualTo(b.text());
            }
            Map<String, Lspci.Block> physical = byKey(original.get(i));
            for (JsonNode c : plans.get(i).get("capabilities")) {
                String k = "ext@" + Integer.toHexString(c.get("offset").asInt());
                if (c.get("space").asText().equals("extended") && c.get("origin").asText().equals("physical")
                        && physical.containsKey(k)) {
                    assertThat(after.get(k).text()).as(name + ": physical " + k).isEqualTo(physical.get(k).text());
                }
            }
        }
        assertThat(synthesized).as("capabilities synthesized over the corpus").isGreaterThan(3 * 100);
    }

    private static Map<String, Lspci.Block> byKey(List<Lspci.Block> blocks) {
        Map<String, Lspci.Block> m = new HashMap<>();
        for (Lspci.Block b : blocks) {
            m.putIfAbsent(key(b), b);
        }
        return m;
    }

    private static String key(Lspci.Block b) {
        return (b.extended() ? "ext@" : "std@") + Integer.toHexString(b.offset());
    }
}
