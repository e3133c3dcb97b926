package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.LspciTextWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vcap pool and vcap check-migration: outputs, files and exit codes. */
class MigrationCommandsTest {

    @TempDir
    Path tmp;

    static ConfigSpaceBuilder model() {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x0b25).classCode(0x088000).revision(1)
                .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x150, ExtendedCapability.ATS, 1, (c, at) -> c.setU16(at + 4, 0x20));
    }

    Path dump(String name, ConfigSpace... devices) throws IOException {
        Path f = tmp.resolve(name);
        try (OutputStream out = Files.newOutputStream(f)) {
            LspciTextWriter w = new LspciTextWriter(out);
            for (int i = 0; i < devices.length; i++) {
                w.write(new DeviceImage(new PciAddress(0, i + 1, 0, 0), "Intel DSA", devices[i], name));
            }
        }
        return f;
    }

    @Test
    void aPoolOfLikeDevicesGetsOneContractAndEachIsAdmitted() throws IOException {
        Path hosts = dump("hosts.lspci", model().build(), model().build(),
                model().with((c, at) -> c.setU8(0xFFA, 1)).build());
        Path contract = tmp.resolve("pool.json");
        CliRun run = CliRun.of("pool", hosts.toString(), "--pasid", "--pri", "--contract", contract.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("pool: 3 devices; one contract fits 3").contains("PASID at 0x");
        assertThat(contract).exists();
        CliRun check = CliRun.of("check-migration", contract.toString(), hosts.toString(), "--address", "0000:03:00.0");
        assertThat(check.exitCode()).as(check.out() + check.err()).isZero();
        assertThat(check.out()).startsWith("admitted: ");
    }

    @Test
    void aBlockedPoolNamesItsBlockersAndExits4() throws IOException {
        Path hosts = dump("hosts.lspci", model().build(), model().revision(2).build(), model().build());
        CliRun run = CliRun.of("pool", hosts.toString(), "--pasid", "--json");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.out()).contains("\"core\":2").contains("\"complete\":false")
                .contains("\"blockers\":[{\"device\":\"" + hosts + ":")
                .contains("\"rule\":\"IDENTITY\",\"offset\":8,\"reason\":\"the destination's revision is 02; the"
                        + " contract's is 01\"");
    }

    @Test
    void checkMigrationRefusesWithTheRuleAndExits4() throws IOException {
        Path src = dump("src.lspci", model().build());
        Path contract = tmp.resolve("c.json");
        assertThat(CliRun.of("pool", src.toString(), "--pasid", "--contract", contract.toString()).exitCode()).isZero();
        Path other = dump("dst.lspci", model().revision(7).build());
        CliRun run = CliRun.of("check-migration", contract.toString(), other.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.out()).isEqualTo("refused (IDENTITY at 0x008): the destination's revision is 07; the contract's is"
                + " 01\n");
        CliRun narrow = CliRun.of("check-migration", contract.toString(), src.toString(), "--host-pasid-width", "8",
                "--json");
        assertThat(narrow.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(narrow.out()).contains("\"admitted\":false").contains("\"rule\":\"PASID_WIDTH\"");
    }

    @Test
    void aTamperedContractIsRefused() throws IOException {
        Path src = dump("src.lspci", model().build());
        Path contract = tmp.resolve("c.json");
        CliRun.of("pool", src.toString(), "--pasid", "--contract", contract.toString());
        Files.writeString(contract, Files.readString(contract).replace("\"revision\":1", "\"revision\":2"));
        CliRun run = CliRun.of("check-migration", contract.toString(), src.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.out()).startsWith("refused (CONTRACT_DIGEST_MISMATCH): the contract cannot be trusted: digest"
                + " mismatch");
        Files.writeString(contract, "{\"format\":");
        assertThat(CliRun.of("check-migration", contract.toString(), src.toString()).out())
                .startsWith("refused (CONTRACT_MALFORMED_JSON): the contract cannot be trusted: not a complete JSON");
    }

    @Test
    void planWritesTheContractOfOneDeviceAndCheckMigrationAdmitsAgainstIt() throws IOException {
        Path src = dump("src.lspci", model().build());
        Path contract = tmp.resolve("plan.json");
        CliRun plan = CliRun.of("plan", src.toString(), "--pasid", "--pri", "--ats", "--contract", contract.toString());
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        assertThat(Files.readString(contract)).startsWith("{\"format\":").contains("\"offset\":4088,\"id\":27,\"version\":1,\"length\":8,\"origin\":\"synthesized\"");
        CliRun same = CliRun.of("check-migration", contract.toString(), src.toString());
        assertThat(same.exitCode()).as(same.out()).isZero();
        CliRun moved = CliRun.of("check-migration", contract.toString(),
                dump("moved.lspci", model().extended(0xFF8, ExtendedCapability.LTR, 1).build()).toString());
        assertThat(moved.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(moved.out()).startsWith("refused (SYNTHESIZED_OVERLAPS_CAPABILITY at 0xff8): ");
    }

    @Test
    void planWritesNoContractUnlessExactlyOneDeviceIsPlaced() throws IOException {
        Path contract = tmp.resolve("plan.json");
        CliRun two = CliRun.of("plan", dump("two.lspci", model().build(), model().build()).toString(), "--pasid",
                "--contract", contract.toString());
        assertThat(two.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(two.err()).contains(contract + " not written: the inputs hold 2 devices; a contract describes one");
        Path src = dump("src.lspci", model().build());
        CliRun refused = CliRun.of("plan", src.toString(), "--pasid", "--pasid-offset", "0x150", "--contract",
                contract.toString());
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(refused.err()).contains(contract + " not written: a placement was refused");
        assertThat(contract).doesNotExist();
        assertThat(tmp.toFile().list()).allMatch(n -> !n.endsWith(".tmp"));
    }

    /**
     * Issue 12's case: an explicit offset over a register hidden in a gap was planned without a
     * word, the contract written, and check-migration then refused it on the very same device.
     */
    @Test
    void planNeverWritesAContractCheckMigrationRefusesOnTheSameDevice() throws IOException {
        Path src = dump("src.lspci", model().with((c, at) -> c.setU32(0x500, 0x0000_0C01)).build());
        Path contract = tmp.resolve("plan.json");
        CliRun explicit = CliRun.of("plan", src.toString(), "--pasid", "--pasid-offset", "0x500", "--contract",
                contract.toString());
        assertThat(explicit.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(explicit.err()).contains("vcap: refused: 0000:01:00.0: PASID refused by explicit-offset: the offset"
                + " given for PASID, 0x500, cannot be used: bytes read non-zero (possible hidden registers)")
                .contains(contract + " not written: a placement was refused");
        assertThat(contract).doesNotExist();
        CliRun searched = CliRun.of("plan", src.toString(), "--pasid", "--contract", contract.toString());
        assertThat(searched.exitCode()).as(searched.err()).isZero();
        CliRun check = CliRun.of("check-migration", contract.toString(), src.toString());
        assertThat(check.exitCode()).as(check.out()).isZero();
    }

    /** --compat qemu writes the contract QEMU 11.0 holds a destination to; check-migration applies QEMU's rule. */
    @Test
    void aQemuContractIsCheckedUnderQemusRule() throws IOException {
        ConfigSpace withPasid = model().extended(0x230, ExtendedCapability.PASID, 1, (c, at) -> c.setU16(at + 4, 0x1402))
                .build();
        Path src = dump("src.lspci", withPasid);
        Path contract = tmp.resolve("qemu.json");
        CliRun plan = CliRun.of("plan", src.toString(), "--pasid", "--compat", "qemu", "--contract", contract.toString());
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        assertThat(Files.readString(contract)).contains("\"check\":\"qemu-11.0\",\"config\":\"");
        assertThat(CliRun.of("check-migration", contract.toString(), src.toString()).exitCode()).isZero();
        ConfigSpace oem = withPasid.copy();
        oem.setU16(0x2E, 0x1028); // QEMU does not check subsystem IDs
        assertThat(CliRun.of("check-migration", contract.toString(), dump("oem.lspci", oem).toString()).exitCode())
                .isZero();
        ConfigSpace tail = withPasid.copy();
        tail.setU32(0xF00, 1); // but every byte up to 0x1000 belongs to the last capability for QEMU
        CliRun refused = CliRun.of("check-migration", contract.toString(), dump("tail.lspci", tail).toString());
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(refused.out()).startsWith("refused (QEMU_CONFIG at 0xf00): get_pci_config_device: Bad config data:"
                + " i=0xf00 read: 0 device: 1 cmask: ff wmask: 0 w1cmask:0");
    }

    @Test
    void missingFilesAndUsageErrors() throws IOException {
        Path src = dump("src.lspci", model().build());
        CliRun missing = CliRun.of("check-migration", tmp.resolve("none.json").toString(), src.toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(missing.err()).isEqualTo("vcap: " + tmp.resolve("none.json") + ": no such file\n");
        assertThat(CliRun.of("pool", src.toString()).exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(CliRun.of("pool", src.toString(), "--pasid", "--pasid-width", "30").err())
                .contains("--pasid-width must be 1..20");
    }
}
