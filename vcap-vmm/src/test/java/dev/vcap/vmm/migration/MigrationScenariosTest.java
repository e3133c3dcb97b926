package dev.vcap.vmm.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.guest.ConfigPort;
import dev.vcap.guest.GuestPciDev;
import dev.vcap.guest.OffsetProblem;
import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.pci.testing.Corpus;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.placement.PlacementEngine;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.QuirkTable;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Migrations between corpus devices and constructed variants of them, with a guest that caches
 * offsets as Linux does: which are admitted, which refused and why, and whether the guest's cached
 * offsets survive. For a refused one, "survive" asks what the guest would find if the VMM had
 * rebuilt the destination its own way regardless (as a VMM without a contract would).
 */
class MigrationScenariosTest {

    static final PasidSupport HOST = new PasidSupport(20, false, false);
    static final PlacementOptions PLACEMENT = new PlacementOptions(Map.of(), null, List.of(), QuirkTable.empty(), null,
            true, PlacementOptions.Compat.VCAP);
    static final Admission.Options ADMIT = new Admission.Options(HOST, QuirkTable.empty(), HidingPolicy.defaults());

    /** The guest's window on whatever config space the VMM currently gives it. */
    static final class GuestPort implements ConfigPort {
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

    /** The VMM's fresh view of a device: hiding policy, PASID placed by the given options. */
    static VirtualConfigSpace fresh(ConfigSpace cs, PlacementOptions options) {
        VirtualConfigSpace vcs = VirtualConfigSpace.over(new InMemoryConfigRegion(cs));
        HidingPolicy.defaults().apply(vcs);
        PlacementEngine.place(vcs, Map.of(SyntheticCapability.PASID, Synthesizers.pasid(HOST)), options);
        return vcs;
    }

    record Outcome(String verdict, boolean offsetsSurvive) {
    }

    static ConfigSpace asVfioShowsIt(ConfigSpace cs) {
        dev.vcap.host.ConfigRegion view = dev.vcap.host.sim.SimHost.vfioView(cs);
        ConfigSpace out = ConfigSpace.allocate(view.size());
        for (int off = 0; off < view.size(); off += 4) {
            out.setU32(off, view.read(off, 4));
        }
        return out;
    }

    /** Migrates a guest of {@code source} to {@code destination}: admission, then the guest's check. */
    static Outcome migrate(ConfigSpace source, ConfigSpace destination, PlacementOptions placement, Admission.Options admit) {
        VirtualConfigSpace src = fresh(source, placement);
        GuestPort port = new GuestPort(src);
        GuestPciDev guest = GuestPciDev.probe(port);
        if (guest.pasidCap() != 0) {
            guest.enablePasid(0);
        }
        LayoutContract contract = Contracts.export(src);
        GuestState state = Contracts.state(src);
        Admission.Result r = Admission.admit(contract, new InMemoryConfigRegion(destination), admit);
        if (r instanceof Admission.Result.Admitted a) {
            state.restore(a.vcs());
            port.target = a.vcs();
            return new Outcome("admitted", guest.verifyCachedOffsets().isEmpty());
        }
        port.target = fresh(destination, placement);
        List<OffsetProblem> problems = guest.verifyCachedOffsets();
        return new Outcome(((Admission.Result.Refused) r).rule().name(), problems.isEmpty());
    }

    /** Moves the last extended capability to the highest free, zero 0x40-byte slot: another firmware's layout. */
    static ConfigSpace otherFirmware(ConfigSpace cs) {
        CapabilityChain chain = CapabilityChain.walk(cs);
        List<Capability> ext = chain.extended();
        Capability last = ext.get(ext.size() - 1);
        ConfigSpace out = cs.copy();
        int to = -1;
        for (int off = 0xF00; off >= 0x100; off -= 0x40) {
            int o = off;
            if (cs.isZero(off, 0x40) && ext.stream().noneMatch(c -> c.overlaps(o, o + 0x40))) {
                to = off;
                break;
            }
        }
        if (to < 0 || last.offset() == 0x100 || last.length() > 0x40) {
            return null;
        }
        byte[] body = cs.slice(last.offset(), last.length());
        out.fill(last.offset(), last.length(), 0);
        out.put(to, body);
        Capability before = ext.get(ext.size() - 2);
        out.setU32(before.offset(), ExtendedCapability.header(before.id(), before.version(), to));
        return out;
    }

    @Test
    void corpusDevicesAndVariants() throws Exception {
        Map<String, int[]> table = new TreeMap<>(); // scenario/verdict/survive -> count
        int devices = 0;
        for (Path file : Corpus.dumps()) {
            List<DeviceImage> images;
            try {
                images = Dumps.readAll(file);
            } catch (DumpFormatException e) {
                continue;
            }
            for (DeviceImage d : images) {
                ConfigSpace cs = d.config();
                CapabilityChain chain = CapabilityChain.walk(cs);
                if (cs.length() != ConfigSpace.EXTENDED_SIZE || !chain.isPciExpress() || chain.extended().size() < 2
                        || fresh(cs, PLACEMENT).layout().find(ExtendedCapability.PASID).isEmpty()) {
                    continue;
                }
                devices++;
                record(table, "same device", migrate(cs, cs, PLACEMENT, ADMIT));
                ConfigSpace vendor = cs.copy();
                vendor.setU16(0, vendor.u16(0) ^ 0x0100);
                record(table, "other vendor", migrate(cs, vendor, PLACEMENT, ADMIT));
                record(table, "fewer PASID bits on the destination", migrate(cs, cs, PLACEMENT,
                        new Admission.Options(new PasidSupport(8, false, false), QuirkTable.empty(), HidingPolicy.defaults())));
                ConfigSpace moved = otherFirmware(cs);
                if (moved != null) {
                    record(table, "same model, other firmware layout", migrate(cs, moved, PLACEMENT, ADMIT));
                }
            }
        }
        List<String> lines = new ArrayList<>();
        table.forEach((k, v) -> lines.add(k + ": " + v[0]));
        System.out.println("migration scenarios over " + devices + " corpus devices:\n  " + String.join("\n  ", lines));
        assertThat(devices).isGreaterThan(100);
        assertThat(table.get("same device -> admitted, offsets survive")[0]).isEqualTo(devices);
        assertThat(table.get("other vendor -> IDENTITY, offsets survive")[0]).isEqualTo(devices);
        assertThat(table.get("fewer PASID bits on the destination -> PASID_WIDTH, offsets survive")[0]).isEqualTo(devices);
        // another firmware: refused whenever a capability the guest sees moved (whether or not Linux
        // caches its offset); admitted only when the one that moved is hidden from the guest
        assertThat(table.keySet()).filteredOn(k -> k.startsWith("same model")).allMatch(k ->
                k.endsWith("CAPABILITY_MISSING, offsets break") || k.endsWith("CAPABILITY_MISSING, offsets survive")
                        || k.endsWith("admitted, offsets survive"));
        assertThat(table).containsKey("same model, other firmware layout -> CAPABILITY_MISSING, offsets break");
        // the property that matters: no admitted migration leaves the guest with a stale offset
        assertThat(table.keySet()).noneMatch(k -> k.contains("admitted, offsets break"));
    }

    private static void record(Map<String, int[]> table, String scenario, Outcome o) {
        table.computeIfAbsent(scenario + " -> " + o.verdict() + ", offsets " + (o.offsetsSurvive() ? "survive" : "break"),
                k -> new int[1])[0]++;
    }

    @Test
    void theCaseQemusDefaultGetsWrongAndThePoolPlanGetsRight() throws Exception {
        // as vfio-pci shows it: QEMU 11.0 passes a PASID capability vfio shows through and synthesizes none
        ConfigSpace dsa = asVfioShowsIt(Dumps.readAll(Corpus.require().resolve(
                "dumps/pciutils_pri-pasid__6a-01.0__8086-0b25.lspci")).getFirst().config());
        ConfigSpace firmwareB = dsa.copy();
        firmwareB.setU32(0xFF8, 0x0000_0C01); // the same DSA in another firmware keeps a register at 0xff8

        // QEMU 11.0: vPASID at 0xff8 on the source; the destination's register is there
        Outcome qemu = migrate(dsa, firmwareB, PLACEMENT.withCompat(PlacementOptions.Compat.QEMU), ADMIT);
        assertThat(qemu.verdict()).isEqualTo("SYNTHESIZED_NONZERO_BYTES");

        // vcap's pool plan over both firmwares places PASID where both read zero
        PoolPlanner.PoolPlan pool = PoolPlanner.plan(List.of(
                new DeviceImage(dev.vcap.pci.config.PciAddress.parse("6a:01.0"), "A", dsa, "firmware A"),
                new DeviceImage(dev.vcap.pci.config.PciAddress.parse("6a:01.0"), "B", firmwareB, "firmware B")).iterator(),
                new PoolPlanner.Options(Map.of(SyntheticCapability.PASID, Synthesizers.pasid(HOST)), PLACEMENT, ADMIT,
                        InMemoryConfigRegion::new));
        assertThat(pool.complete()).isTrue();
        int offset = pool.contract().orElseThrow().synthesized(SyntheticCapability.PASID).orElseThrow().offset();
        Outcome vcap = migrate(dsa, firmwareB, PLACEMENT.withExplicit(Map.of(SyntheticCapability.PASID, offset)), ADMIT);
        assertThat(vcap).isEqualTo(new Outcome("admitted", true));
        assertThat(offset).isNotEqualTo(0xFF8);
    }

}
