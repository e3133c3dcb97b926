package dev.vcap.kernel.configview;

import static dev.vcap.host.PciRegs.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.vfio.PasidOption;
import dev.vcap.host.vfio.VfioPciConfig;
import dev.vcap.kernel.LiveKernel;
import dev.vcap.kernel.SysfsConfig;
import dev.vcap.linux.IrqEventfds;
import dev.vcap.linux.LinuxHost;
import dev.vcap.linux.LinuxIommufd;
import dev.vcap.linux.LinuxVfioDevice;
import dev.vcap.linux.sysfs.PciFunction;
import dev.vcap.linux.testing.RealKernel;
import dev.vcap.linux.uapi.VfioIoctls;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.config.PciAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.TestReporter;

/**
 * vcap's model of vfio-pci's config view against the real vfio-pci, on every emulated device of the
 * guest, byte for byte: right after open, after every step of a write script (BAR and ROM sizing,
 * Interrupt Line, Command, MSI and MSI-X enabled through VFIO_DEVICE_SET_IRQS, Device Control's Max
 * Read Request Size, Link Control and Link Control 2, AER masks, a standard- and an extended-space
 * gap, the ID registers), and after 10,000 seeded random writes of every width and alignment.
 * {@link ConfigViewDiff} says how the two are compared and how what reaches the device is told apart
 * from what the device itself does; {@link KnownDifferences} lists the differences that are
 * understood, each with the kernel function behind it. Anything else fails the test.
 */
class ConfigViewKernelTest {

    static final int RANDOM_WRITES = 10_000;
    /** A whole-view comparison every this many random writes (and at the end). */
    static final int FULL_EVERY = 1_000;

    @ParameterizedTest(name = "config view of {0}")
    @ValueSource(strings = {"0000:01:00.0", "0000:02:00.0", "0000:03:00.0"})
    void modelAndKernelAgreeByteForByte(String addr, TestReporter report) throws IOException {
        RealKernel.vfioFunctions();
        PciAddress address = PciAddress.parse(addr);
        LinuxHost host = new LinuxHost();
        PciFunction function = host.function(address).orElseThrow();
        try (LinuxIommufd fd = host.openIommufd(); LinuxVfioDevice dev = host.openDevice(address);
                SysfsConfig sysfs = SysfsConfig.open(address)) {
            int devId = dev.bind(fd);
            // vfio_config_init ran at open (after vfio_pci_core_enable's reset): the model is built now
            boolean intxMask = sysfs.intxMaskSupported();
            LiveHardware hw = new LiveHardware(sysfs);
            VfioPciConfig model = new VfioPciConfig(new LiveBackend(function, hw, fd.getHwInfo(devId).maxPasidLog2(),
                    intxMask), PasidOption.hidden());
            ConfigSpace initial = sysfs.snapshot();
            Layout layout = Layout.of(initial);
            ConfigViewDiff diff = new ConfigViewDiff(dev.config(), model, hw, sysfs, layout::replayable,
                    KnownDifferences.of(layout));

            diff.compareAll("open");
            script(diff, dev, layout, initial);
            long seed = 0x5EED_0000L ^ address.hashCode();
            randomWrites(diff, new Random(seed), layout);
            diff.compareAll("the random writes");

            String explained = diff.explained().entrySet().stream()
                    .map(e -> e.getKey().name() + " x" + e.getValue()).collect(Collectors.joining(", "));
            report.publishEntry(addr, String.format("%d steps (script + %d random writes, seed 0x%x), %d vfio resets,"
                    + " %d sysfs replays; explained: %s", diff.steps(), RANDOM_WRITES, seed, diff.resets(),
                    diff.replays(), explained.isEmpty() ? "none" : explained));
            save(addr, diff);
            List<ViewDifference> bad = diff.unexplained();
            assertThat(bad.size()).as("%d differences between the model and vfio-pci on %s, the first: %s", bad.size(),
                    addr, bad.subList(0, Math.min(30, bad.size()))).isZero();
        }
    }

    /** The named write script. */
    private static void script(ConfigViewDiff d, LinuxVfioDevice dev, Layout l, ConfigSpace initial) {
        for (int i = 0; i < 6; i++) {
            int bar = Header.BAR0 + 4 * i;
            d.write("BAR" + i + " sizing", bar, 4, -1, true);
            d.write("BAR" + i + " restore", bar, 4, initial.u32(bar), true);
        }
        d.write("ROM sizing", Header.ROM_ADDRESS_TYPE0, 4, 0xFFFF_F800, true);
        d.write("ROM sizing with enable", Header.ROM_ADDRESS_TYPE0, 4, -1, true);
        d.write("ROM restore", Header.ROM_ADDRESS_TYPE0, 4, initial.u32(Header.ROM_ADDRESS_TYPE0), true);
        d.write("Interrupt Line", Header.INTERRUPT_LINE, 1, 0x5A, true);
        d.write("Interrupt Pin (read-only)", Header.INTERRUPT_PIN, 1, 0x04, true);
        d.write("Command: memory, bus master, INTx disable", Header.COMMAND, 2, 0x0406, true);
        d.write("Command: I/O, memory, SERR", Header.COMMAND, 2, 0x0103, true);
        d.write("Command restore", Header.COMMAND, 2, initial.u16(Header.COMMAND), true);
        d.write("Status: write-1-to-clear bits", Header.STATUS, 2, 0xF900, true);
        d.write("Cache Line Size, Latency Timer", Header.CACHE_LINE_SIZE, 2, 0x4010, true);
        d.write("Vendor ID", Header.VENDOR_ID, 2, 0x1234, true);
        d.write("Device ID", Header.DEVICE_ID, 2, 0x5678, true);
        d.write("Revision, Class Code", Header.REVISION_ID, 4, 0x0C033099, true);
        d.write("Subsystem IDs", Header.SUBSYSTEM_VENDOR_ID, 4, 0x9ABC_DEF0, true);
        d.write("Header Type, BIST", Header.HEADER_TYPE, 2, 0x4080, true);
        d.write("Capabilities Pointer", Header.CAPABILITIES_POINTER, 1, 0x48, true);
        if (l.msi != 0) {
            msi(d, dev, l);
        }
        if (l.msix != 0) {
            d.kernelOnly("MSI-X enabled through VFIO_DEVICE_SET_IRQS", () -> {
                try (IrqEventfds irq = dev.enableIrqs(VfioIoctls.PCI_MSIX_IRQ_INDEX, 2)) {
                    d.compareAll("MSI-X enabled (2 vectors)");
                    d.write("MSI-X Message Control: Function Mask", l.msix + 2, 2, 0xC000, true);
                }
            });
        }
        if (l.pm != 0) {
            d.write("PM Control: D3hot", l.pm + PM_CTRL, 2, 0x0003, true);
            d.write("PM Control: D0", l.pm + PM_CTRL, 2, 0x0000, true);
            d.write("PM Control: PME status and enable", l.pm + PM_CTRL, 2, 0x8100, true);
        }
        if (l.exp != 0) {
            int devctl = initial.u16(l.exp + EXP_DEVCTL);
            for (int rq = 0; rq < 8; rq++) {
                d.write("Device Control: Max Read Request Size field " + rq, l.exp + EXP_DEVCTL, 2,
                        devctl & ~EXP_DEVCTL_READRQ | rq << EXP_DEVCTL_READRQ_SHIFT, true);
            }
            d.write("Device Control: Max Payload Size 512", l.exp + EXP_DEVCTL, 2, devctl & ~EXP_DEVCTL_PAYLOAD | 2 << 5, true);
            d.write("Device Control: error reporting enables, relaxed ordering, no snoop", l.exp + EXP_DEVCTL, 2,
                    devctl | 0x081F, true);
            d.write("Device Control restore", l.exp + EXP_DEVCTL, 2, devctl, true);
            d.write("Device Status: write-1-to-clear", l.exp + EXP_DEVSTA, 2, 0x000F, true);
            d.write("Link Control: ASPM L0s L1, RCB, common clock", l.exp + EXP_LNKCTL, 2, 0x0043, true);
            d.write("Link Control: extended synch, clock PM", l.exp + EXP_LNKCTL, 2, 0x0180, true);
            d.write("Link Control restore", l.exp + EXP_LNKCTL, 2, initial.u16(l.exp + EXP_LNKCTL), true);
            d.write("Device Control 2: completion timeout, LTR, 10-bit tags", l.exp + EXP_DEVCTL2, 2, 0x1415, true);
            d.write("Link Control 2: target link speed 2.5 GT/s", l.exp + EXP_LNKCTL2, 2, 0x0001, true);
            d.write("Link Control 2: enter compliance, de-emphasis", l.exp + EXP_LNKCTL2, 2, 0x0050, true);
            d.write("Link Control 2 restore", l.exp + EXP_LNKCTL2, 2, initial.u16(l.exp + EXP_LNKCTL2), true);
            d.write("Link Status 2 (read-only)", l.exp + EXP_LNKSTA2, 2, 0xFFFF, true);
        }
        if (l.aer != 0) {
            int[] regs = {0x04, 0x08, 0x0C, 0x10, 0x14, 0x18};
            String[] names = {"Uncorrectable Status", "Uncorrectable Mask", "Uncorrectable Severity",
                "Correctable Status", "Correctable Mask", "Capabilities and Control"};
            for (int i = 0; i < regs.length; i++) {
                int at = l.aer + regs[i];
                d.write("AER " + names[i] + ": all ones", at, 4, -1, true);
                d.write("AER " + names[i] + " restore", at, 4, initial.u32(at), true);
            }
        }
        d.write("standard-space gap 0x" + Integer.toHexString(l.standardGap), l.standardGap, 4, 0xA5A5_5A5A, true);
        d.write("extended-space gap 0x" + Integer.toHexString(l.extendedGap), l.extendedGap, 4, 0x5A5A_A5A5, true);
        for (Capability c : l.chain.standard()) {
            d.write(c.name() + " header", c.offset(), 2, 0x0000, true);
        }
        for (Capability c : l.chain.extended()) {
            d.write(c.name() + " header", c.offset(), 4, 0x0001_0001, true);
        }
    }

    /** MSI: enabled through VFIO_DEVICE_SET_IRQS (vfio programs the device), then written by the user. */
    private static void msi(ConfigViewDiff d, LinuxVfioDevice dev, Layout l) {
        d.write("MSI Message Control: Enable, 4 vectors (by config write)", l.msi + MSI_FLAGS, 2, 0x0021, true);
        d.kernelOnly("MSI enabled through VFIO_DEVICE_SET_IRQS", () -> {
            try (IrqEventfds irq = dev.enableIrqs(VfioIoctls.PCI_MSI_IRQ_INDEX, 1)) {
                d.compareAll("MSI enabled (1 vector)");
                d.write("MSI Message Address while enabled", l.msi + MSI_ADDRESS_LO, 4, 0xFEE0_1000, true);
                d.write("MSI Message Data while enabled", l.msi + l.msiData, 2, 0x4041, true);
                d.write("MSI Message Control: Enable written while enabled through SET_IRQS", l.msi + MSI_FLAGS, 2,
                        0x0001, true);
                d.write("MSI Message Control: disable by config write", l.msi + MSI_FLAGS, 2, 0x0000, true);
            }
        });
        d.compareAll("MSI disabled through VFIO_DEVICE_SET_IRQS");
    }

    /**
     * Random writes anywhere in the 4 KiB: offset, width 1, 2 or 4 (any alignment: vfio splits an
     * unaligned access as the model does) and value from a fixed seed. Writes into the BARs and the
     * ROM are kept (both sides virtualize them).
     */
    private static void randomWrites(ConfigViewDiff d, Random rnd, Layout l) {
        int[] widths = {1, 2, 4};
        for (int i = 1; i <= RANDOM_WRITES; i++) {
            int width = widths[rnd.nextInt(3)];
            int offset = rnd.nextInt(d.size() - width + 1);
            int value = rnd.nextInt();
            d.write(String.format("random write %d: 0x%x/%d = 0x%x", i, offset, width, value), offset, width, value,
                    i % FULL_EVERY == 0);
        }
    }

    private static void save(String addr, ConfigViewDiff d) throws IOException {
        if (LiveKernel.resultsDir().isEmpty()) {
            return;
        }
        var dir = Files.createDirectories(LiveKernel.resultsDir().get().resolve("configview"));
        StringBuilder b = new StringBuilder();
        for (Map.Entry<KnownDifference, Integer> e : d.explained().entrySet()) {
            b.append("explained x").append(e.getValue()).append(": ").append(e.getKey()).append('\n');
        }
        for (ViewDifference v : d.unexplained()) {
            b.append(v).append('\n');
        }
        Files.writeString(dir.resolve(addr.replace(':', '_') + ".txt"), b.toString());
    }

    /** Where the device's capabilities are, found in its config space as sysfs reads it at open. */
    static final class Layout {
        final CapabilityChain chain;
        int pm;
        int msi;
        int msiData;
        int msix;
        int exp;
        int aer;
        int standardGap;
        int extendedGap;

        private Layout(CapabilityChain chain) {
            this.chain = chain;
        }

        static Layout of(ConfigSpace cs) {
            Layout l = new Layout(CapabilityChain.walk(cs));
            for (Capability c : l.chain.standard()) {
                switch (c.id()) {
                    case 0x01 -> l.pm = c.offset();
                    case 0x05 -> {
                        l.msi = c.offset();
                        l.msiData = (cs.u16(c.offset() + MSI_FLAGS) & MSI_FLAGS_64BIT) != 0 ? MSI_DATA_64 : MSI_DATA_32;
                    }
                    case 0x10 -> l.exp = c.offset();
                    case 0x11 -> l.msix = c.offset();
                    default -> { }
                }
            }
            for (Capability c : l.chain.extended()) {
                if (c.id() == 0x0001) {
                    l.aer = c.offset();
                }
            }
            l.standardGap = l.freeDword(ConfigSpace.HEADER_SIZE, ConfigSpace.CONVENTIONAL_SIZE, CapabilitySpace.STANDARD);
            l.extendedGap = l.freeDword(ConfigSpace.CONVENTIONAL_SIZE + 4, cs.length(), CapabilitySpace.EXTENDED);
            return l;
        }

        private int freeDword(int from, int to, CapabilitySpace space) {
            for (int p = to - 4; p >= from; p -= 4) {
                int at = p;
                if (chain.list(space).stream().noneMatch(c -> c.overlaps(at, at + 4))) {
                    return p;
                }
            }
            throw new IllegalStateException("no free dword in " + space + " space");
        }

        /**
         * The bits of a byte that may be replayed through sysfs: none of the BARs' and the ROM's
         * (moving them would move the device under the guest's kernel), all but Initiate FLR in
         * Device Control's high byte, all elsewhere.
         */
        int replayable(int at) {
            if (at >= Header.BAR0 && at < Header.CARDBUS_CIS
                    || at >= Header.ROM_ADDRESS_TYPE0 && at < Header.ROM_ADDRESS_TYPE0 + 4) {
                return 0;
            }
            return exp != 0 && at == exp + EXP_DEVCTL + 1 ? ~(EXP_DEVCTL_BCR_FLR >>> 8) & 0xFF : 0xFF;
        }
    }
}
