package dev.vcap.vmm.golden;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.pci.dump.LspciTextWriter;
import dev.vcap.pci.testing.Corpus;
import dev.vcap.pci.testing.Lspci;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest-visible image as pciutils sees it: for every PCI Express device of the corpus with
 * extended space, synthesize PASID at a free offset (the highest dword-aligned 8 zero bytes no
 * capability owns), write the guest's image as lspci -xxxx text, and have lspci decode both. The
 * new capability must appear with the right fields, and every other capability at its old offset
 * with exactly its old decoded contents. A physical PASID, which vfio would hide, is hidden first.
 */
class SynthesizedPasidGoldenTest {

    @TempDir
    Path tmp;

    @Test
    void lspciSeesTheSynthesizedPasidAndEverythingElseUnchanged() throws Exception {
        Lspci.require();
        List<DeviceImage> devices = new ArrayList<>();
        for (Path file : Corpus.dumps()) {
            try {
                for (DeviceImage d : Dumps.readAll(file)) {
                    ConfigSpace cs = d.config();
                    if (cs.length() == ConfigSpace.EXTENDED_SIZE && CapabilityChain.walk(cs).isPciExpress()) {
                        devices.add(d);
                    }
                }
            } catch (DumpFormatException e) {
                // files without a header line
            }
        }
        PasidSupport support = new PasidSupport(16, true, false);
        Path file = tmp.resolve("pairs.lspci");
        List<Integer> placed = new ArrayList<>();
        try (OutputStream out = Files.newOutputStream(file)) {
            LspciTextWriter writer = new LspciTextWriter(out);
            for (int i = 0; i < devices.size(); i++) {
                ConfigSpace original = devices.get(i).config();
                VirtualConfigSpace vcs = VirtualConfigSpace.over(new InMemoryConfigRegion(original));
                vcs.layout().find(ExtendedCapability.PASID).ifPresent(p -> vcs.editor().hide(p, "vfio hides PASID"));
                int offset = freeOffset(vcs, original);
                placed.add(offset);
                if (offset >= 0) {
                    vcs.editor().insert(offset, Synthesizers.pasid(support));
                }
                writer.write(new DeviceImage(at(2 * i), "original", original, "original"));
                writer.write(new DeviceImage(at(2 * i + 1), "guest", vcs.guestImage(), "guest"));
            }
        }
        List<List<Lspci.Block>> blocks = Lspci.blocks(Lspci.verbose(file));
        assertThat(blocks).hasSize(2 * devices.size());
        int synthesized = 0;
        for (int i = 0; i < devices.size(); i++) {
            String name = devices.get(i).origin();
            List<Lspci.Block> before = blocks.get(2 * i);
            Map<String, Lspci.Block> after = blocks.get(2 * i + 1).stream()
                    .collect(Collectors.toMap(SynthesizedPasidGoldenTest::key, Function.identity(), (a, b) -> a));
            int offset = placed.get(i);
            if (offset < 0) {
                continue;
            }
            synthesized++;
            Lspci.Block pasid = after.get("ext@" + Integer.toHexString(offset));
            assertThat(pasid).as(name + ": PASID at 0x" + Integer.toHexString(offset)).isNotNull();
            assertThat(pasid.version()).isEqualTo(1);
            assertThat(pasid.text()).as(name).contains("Process Address Space ID (PASID)")
                    .contains("PASIDCap: Exec+ Priv-, Max PASID Width: 10")
                    .contains("PASIDCtl: Enable- Exec- Priv-");
            for (Lspci.Block b : before) {
                if (b.text().contains("Process Address Space ID")) {
                    continue; // hidden, as vfio does
                }
                assertThat(after.get(key(b))).as(name + ": " + b.text().lines().findFirst().orElse(""))
                        .isNotNull()
                        .extracting(Lspci.Block::text).isEqualTo(b.text());
            }
        }
        assertThat(synthesized).as("devices given a synthesized PASID").isGreaterThan(150);
    }

    /**
     * Device 0, function 0 of bus {@code n}: lspci decodes some registers (LnkCtl2 of an endpoint)
     * only there, and keeps the pair adjacent in its sorted output.
     */
    private static PciAddress at(int n) {
        return new PciAddress(n >> 8, n & 0xFF, 0, 0);
    }

    private static String key(Lspci.Block b) {
        return (b.extended() ? "ext@" : "std@") + Integer.toHexString(b.offset());
    }

    /** The highest dword-aligned offset where 8 bytes read zero and the editor accepts a PASID. */
    private static int freeOffset(VirtualConfigSpace vcs, ConfigSpace original) {
        for (int off = 0xFF8; off >= 0x100; off -= 4) {
            if (original.isZero(off, 8)
                    && vcs.editor().check(CapabilitySpace.EXTENDED, off, Synthesizers.PASID_LENGTH).isEmpty()) {
                return off;
            }
        }
        return -1;
    }

}
