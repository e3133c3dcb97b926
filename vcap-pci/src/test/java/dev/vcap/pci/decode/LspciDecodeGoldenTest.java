package dev.vcap.pci.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.testing.CorpusLspci;
import dev.vcap.pci.testing.Lspci;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Golden test against pciutils 3.9: for every corpus device, every decoded value that
 * {@code lspci -F FILE -vvv} also prints must agree with it. Each {@link Check} is a line lspci
 * prints, as a regular expression, and the same values rendered from the view the way lspci renders
 * them; a check is compared wherever lspci printed its line.
 */
class LspciDecodeGoldenTest {

    /** One lspci line: its pattern, and the expected groups rendered from a view. */
    record Check<V extends RegisterView>(String name, Class<V> type, Pattern pattern, Function<V, List<String>> expected) {

        static <V extends RegisterView> Check<V> of(String name, Class<V> type, String regex,
                Function<V, List<String>> expected) {
            return new Check<>(name, type, Pattern.compile(regex, Pattern.MULTILINE), expected);
        }
    }

    static String f(boolean b) {
        return b ? "+" : "-";
    }

    static String hex(long v, int digits) {
        return String.format("%0" + digits + "x", v);
    }

    static String dec(long v) {
        return Long.toString(v);
    }

    /** Link speed as lspci 3.9 prints it. */
    static String speed(int code) {
        return switch (code) {
            case 1 -> "2.5GT/s";
            case 2 -> "5GT/s";
            case 3 -> "8GT/s";
            case 4 -> "16GT/s";
            case 5 -> "32GT/s";
            case 6 -> "64GT/s";
            default -> "unknown";
        };
    }

    /** A size in the units lspci's Resizable BAR lines use. */
    static String size(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
        int u = 0;
        while (bytes >= 1024 && u < units.length - 1) {
            bytes /= 1024;
            u++;
        }
        return bytes + units[u];
    }

    static final List<Check<?>> CHECKS = List.of(
            Check.of("PASIDCap", PasidView.class, "PASIDCap: Exec([+-]) Priv([+-]), Max PASID Width: ([0-9a-f]+)$",
                    v -> List.of(f(v.execSupported()), f(v.privilegedSupported()), hex(v.maxPasidWidth(), 2))),
            Check.of("PASIDCtl", PasidView.class, "PASIDCtl: Enable([+-]) Exec([+-]) Priv([+-])$",
                    v -> List.of(f(v.enabled()), f(v.execEnabled()), f(v.privilegedEnabled()))),
            Check.of("ATSCap", AtsView.class, "ATSCap:\tInvalidate Queue Depth: ([0-9a-f]+)$",
                    v -> List.of(hex(v.invalidateQueueDepth(), 2))),
            Check.of("ATSCtl", AtsView.class, "ATSCtl:\tEnable([+-]), Smallest Translation Unit: ([0-9a-f]+)$",
                    v -> List.of(f(v.enabled()), hex(v.smallestTranslationUnit(), 2))),
            Check.of("PRICtl", PriView.class, "PRICtl: Enable([+-]) Reset([+-])$",
                    v -> List.of(f(v.enabled()), f(v.reset()))),
            Check.of("PRISta", PriView.class, "PRISta: RF([+-]) UPRGI([+-]) Stopped([+-])",
                    v -> List.of(f(v.responseFailure()), f(v.unexpectedPageRequestGroupIndex()), f(v.stopped()))),
            Check.of("Page Request Capacity", PriView.class,
                    "Page Request Capacity: ([0-9a-f]{8}), Page Request Allocation: ([0-9a-f]{8})$",
                    v -> List.of(hex(v.outstandingPageRequestCapacity(), 8), hex(v.outstandingPageRequestAllocation(), 8))),
            Check.of("IOVCtl", SriovView.class, "IOVCtl:\tEnable([+-]) Migration([+-]) Interrupt([+-]) MSE([+-])"
                    + " ARIHierarchy([+-])", v -> List.of(f(v.vfEnable()), f(v.vfMigrationEnable()),
                            f((v.control() & SriovView.CTRL_VF_MIGRATION_INTERRUPT_ENABLE) != 0),
                            f(v.vfMemorySpaceEnable()), f(v.ariCapableHierarchy()))),
            Check.of("Total VFs", SriovView.class,
                    "Initial VFs: (\\d+), Total VFs: (\\d+), Number of VFs: (\\d+), Function Dependency Link: ([0-9a-f]+)$",
                    v -> List.of(dec(v.initialVfs()), dec(v.totalVfs()), dec(v.numVfs()), hex(v.functionDependencyLink(), 2))),
            Check.of("VF offset/stride/Device ID", SriovView.class,
                    "VF offset: (\\d+), stride: (\\d+), Device ID: ([0-9a-f]+)$",
                    v -> List.of(dec(v.firstVfOffset()), dec(v.vfStride()), hex(v.vfDeviceId(), 4))),
            Check.of("Supported Page Size", SriovView.class,
                    "Supported Page Size: ([0-9a-f]+), System Page Size: ([0-9a-f]+)$",
                    v -> List.of(hex(Integer.toUnsignedLong(v.supportedPageSizes()), 8),
                            hex(Integer.toUnsignedLong(v.systemPageSize()), 8))),
            Check.of("Express version", PcieView.class, "^\tCapabilities: \\[[0-9a-f]+\\] Express \\(v(\\d+)\\)",
                    v -> List.of(dec(v.version()))),
            Check.of("LnkCap", PcieView.class, "LnkCap:\tPort #(\\d+), Speed ([^,]+), Width x(\\d+)",
                    v -> List.of(dec(v.portNumber()), speed(v.maxLinkSpeed()), dec(v.maxLinkWidth()))),
            Check.of("LnkSta", PcieView.class, "LnkSta:\tSpeed ([^ ,]+)(?: \\([a-z]+\\))?, Width x(\\d+)",
                    v -> List.of(speed(v.currentLinkSpeed()), dec(v.negotiatedLinkWidth()))),
            Check.of("DevCap", PcieView.class, "DevCap:\tMaxPayload (\\d+) bytes, PhantFunc (\\d+)",
                    v -> List.of(dec(v.maxPayloadSupported()),
                            dec((v.deviceCapabilities() & PcieView.DEVCAP_PHANTOM_MASK) >>> PcieView.DEVCAP_PHANTOM_SHIFT))),
            Check.of("DevCtl", PcieView.class, "^\t\t\tMaxPayload (\\d+) bytes, MaxReadReq (\\d+) bytes$",
                    v -> List.of(dec(v.maxPayload()), dec(v.maxReadRequest()))),
            Check.of("LnkCtl2", PcieView.class, "LnkCtl2: Target Link Speed: ([^,]+),",
                    v -> List.of(v.targetLinkSpeed() == 0 ? "2.5GT/s" : speed(v.targetLinkSpeed()))),
            Check.of("MSI", MsiView.class, "MSI: Enable([+-]) Count=(\\d+)/(\\d+) Maskable([+-]) 64bit([+-])$",
                    v -> List.of(f(v.enabled()), dec(v.vectorsEnabled()), dec(v.vectorsCapable()), f(v.perVectorMasking()),
                            f(v.is64Bit()))),
            Check.of("MSI Address/Data", MsiView.class, "^\t\tAddress: ([0-9a-f]+)  Data: ([0-9a-f]{4})$",
                    v -> List.of(v.is64Bit() ? hex(v.messageAddress(), 16) : hex(v.messageAddress(), 8),
                            hex(v.messageData(), 4))),
            Check.of("MSI-X", MsixView.class, "MSI-X: Enable([+-]) Count=(\\d+) Masked([+-])$",
                    v -> List.of(f(v.enabled()), dec(v.tableSize()), f(v.functionMask()))),
            Check.of("MSI-X table", MsixView.class, "Vector table: BAR=(\\d+) offset=([0-9a-f]{8})$",
                    v -> List.of(dec(v.tableBir()), hex(v.tableOffset(), 8))),
            Check.of("MSI-X PBA", MsixView.class, "PBA: BAR=(\\d+) offset=([0-9a-f]{8})$",
                    v -> List.of(dec(v.pbaBir()), hex(v.pbaOffset(), 8))),
            Check.of("L1SubCap", L1SubstatesView.class, "L1SubCap: PCI-PM_L1.2([+-]) PCI-PM_L1.1([+-]) ASPM_L1.2([+-])"
                    + " ASPM_L1.1([+-]) L1_PM_Substates([+-])", v -> List.of(f(v.pciPmL12Supported()),
                            f(v.pciPmL11Supported()), f(v.aspmL12Supported()), f(v.aspmL11Supported()),
                            f(v.l1PmSubstatesSupported()))),
            Check.of("L1SubCap times", L1SubstatesView.class, "PortCommonModeRestoreTime=(\\d+)us PortTPowerOnTime=(\\d+)us",
                    v -> List.of(dec(v.portCommonModeRestoreTimeUs()), dec(v.portTPowerOnUs()))),
            Check.of("L1SubCtl1", L1SubstatesView.class,
                    "L1SubCtl1: PCI-PM_L1.2([+-]) PCI-PM_L1.1([+-]) ASPM_L1.2([+-]) ASPM_L1.1([+-])",
                    v -> List.of(f((v.enabledSubstates() & 1) != 0), f((v.enabledSubstates() & 2) != 0),
                            f((v.enabledSubstates() & 4) != 0), f((v.enabledSubstates() & 8) != 0))),
            Check.of("L1SubCtl1 times", L1SubstatesView.class, "T_CommonMode=(\\d+)us LTR1.2_Threshold=(\\d+)ns",
                    v -> List.of(dec(v.commonModeRestoreTimeUs()), dec(v.ltrL12ThresholdNs()))),
            Check.of("L1SubCtl2", L1SubstatesView.class, "L1SubCtl2: T_PwrOn=(\\d+)us", v -> List.of(dec(v.tPowerOnUs()))),
            Check.of("LTR snoop", LtrView.class, "Max snoop latency: (\\d+)ns$", v -> List.of(dec(v.maxSnoopLatencyNs()))),
            Check.of("LTR no snoop", LtrView.class, "Max no snoop latency: (\\d+)ns$",
                    v -> List.of(dec(v.maxNoSnoopLatencyNs()))),
            Check.of("DSN", DsnView.class, "Device Serial Number ([0-9a-f-]{23})$", v -> List.of(v.serialNumberText())),
            Check.of("PM version", PmView.class, "Power Management version (\\d+)$", v -> List.of(dec(v.version()))),
            Check.of("PM Flags", PmView.class, "Flags: PMEClk([+-]) DSI([+-]) D1([+-]) D2([+-]) AuxCurrent=(\\d+)mA"
                    + " PME\\(D0([+-]),D1([+-]),D2([+-]),D3hot([+-]),D3cold([+-])\\)", v -> List.of(f(v.pmeClock()),
                            f(v.deviceSpecificInitialization()), f(v.d1Supported()), f(v.d2Supported()),
                            dec(v.auxCurrentMilliamps()), f((v.pmeSupport() & 1) != 0), f((v.pmeSupport() & 2) != 0),
                            f((v.pmeSupport() & 4) != 0), f((v.pmeSupport() & 8) != 0), f((v.pmeSupport() & 16) != 0))),
            Check.of("PM Status", PmView.class, "Status: D(\\d) NoSoftRst([+-]) PME-Enable([+-]) DSel=(\\d+) DScale=(\\d+)"
                    + " PME([+-])", v -> List.of(dec(v.powerState()), f(v.noSoftReset()), f(v.pmeEnabled()),
                            dec(v.dataSelect()), dec(v.dataScale()), f(v.pmeStatus()))),
            Check.of("ARICap", AriView.class, "ARICap:\tMFVC([+-]) ACS([+-]), Next Function: (\\d+)$",
                    v -> List.of(f(v.mfvcFunctionGroups()), f(v.acsFunctionGroups()), dec(v.nextFunctionNumber()))),
            Check.of("ARICtl", AriView.class, "ARICtl:\tMFVC([+-]) ACS([+-]), Function Group: (\\d+)$",
                    v -> List.of(f((v.control() & AriView.MFVC_FUNCTION_GROUPS_ENABLE) != 0),
                            f((v.control() & AriView.ACS_FUNCTION_GROUPS_ENABLE) != 0), dec(v.functionGroup()))),
            Check.of("ACSCap", AcsView.class, "ACSCap:\tSrcValid([+-]) TransBlk([+-]) ReqRedir([+-]) CmpltRedir([+-])"
                    + " UpstreamFwd([+-]) EgressCtrl([+-]) DirectTrans([+-])", v -> List.of(f(v.sourceValidation()),
                            f(v.translationBlocking()), f(v.p2pRequestRedirect()), f(v.p2pCompletionRedirect()),
                            f(v.upstreamForwarding()), f(v.p2pEgressControl()), f(v.directTranslatedP2p()))),
            Check.of("ACSCtl", AcsView.class, "ACSCtl:\tSrcValid([+-]) TransBlk([+-]) ReqRedir([+-]) CmpltRedir([+-])"
                    + " UpstreamFwd([+-]) EgressCtrl([+-]) DirectTrans([+-])", v -> bits(v.control(), 7)),
            Check.of("PTMCap", PtmView.class, "PTMCap: Requester:([+-]) Responder:([+-]) Root:([+-])",
                    v -> List.of(f(v.requesterCapable()), f(v.responderCapable()), f(v.rootCapable()))),
            Check.of("PTMControl", PtmView.class, "PTMControl: Enabled:([+-]) RootSelected:([+-])",
                    v -> List.of(f(v.enabled()), f(v.rootSelected()))),
            Check.of("DpcCap", DpcView.class, "DpcCap:\tINT Msg #(\\d+), RPExt([+-]) PoisonedTLP([+-]) SwTrigger([+-])"
                    + " RP PIO Log (\\d+), DL_ActiveErr([+-])", v -> List.of(dec(v.interruptMessageNumber()),
                            f(v.rpExtensions()), f(v.poisonedTlpEgressBlockingSupported()),
                            f(v.softwareTriggeringSupported()), dec(v.rpPioLogSize()), f(v.dlActiveErrCorSupported()))),
            Check.of("AERCap", AerView.class, "AERCap:\tFirst Error Pointer: ([0-9a-f]{2}), ECRCGenCap([+-])"
                    + " ECRCGenEn([+-]) ECRCChkCap([+-]) ECRCChkEn([+-])", v -> List.of(hex(v.firstErrorPointer(), 2),
                            f(v.ecrcGenerationCapable()), f((v.capabilitiesControl() & AerView.ECRC_GENERATION_ENABLE) != 0),
                            f(v.ecrcCheckCapable()), f((v.capabilitiesControl() & AerView.ECRC_CHECK_ENABLE) != 0))),
            Check.of("HeaderLog", AerView.class, "HeaderLog: ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8})$",
                    v -> List.of(hex(Integer.toUnsignedLong(v.headerLog(0)), 8), hex(Integer.toUnsignedLong(v.headerLog(1)), 8),
                            hex(Integer.toUnsignedLong(v.headerLog(2)), 8), hex(Integer.toUnsignedLong(v.headerLog(3)), 8))),
            Check.of("VSEC", VsecView.class, "Vendor Specific Information: ID=([0-9a-f]{4}) Rev=(\\d+) Len=([0-9a-f]{3})",
                    v -> List.of(hex(v.vsecId(), 4), dec(v.vsecRevision()), hex(v.vsecLength(), 3))),
            Check.of("DVSEC", DvsecView.class, "Designated Vendor-Specific: Vendor=([0-9a-f]{4}) ID=([0-9a-f]{4})"
                    + " Rev=(\\d+) Len=(\\d+)", v -> List.of(hex(v.dvsecVendorId(), 4), hex(v.dvsecId(), 4),
                            dec(v.dvsecRevision()), dec(v.dvsecLength()))),
            Check.of("Vendor Specific (standard)", VendorSpecificView.class, "Vendor Specific Information: Len=([0-9a-f]{2})",
                    v -> List.of(hex(v.capabilityLength(), 2))),
            Check.of("Resizable BAR 0", ResizableBarView.class, "^\t\tBAR (\\d): current size: (\\S+), supported",
                    v -> List.of(dec(v.barIndex(0)), size(v.currentSizeBytes(0)))),
            Check.of("LnkCtl3", SecondaryPcieView.class, "LnkCtl3: LnkEquIntrruptEn([+-]) PerformEqu([+-])",
                    v -> List.of(f(v.equalizationRequestInterruptEnable()), f(v.performEqualization()))),
            Check.of("TPH table", TphView.class, "^\t\t(No steering table available|Steering table in TPH capability"
                    + " structure|Steering table in MSI-X table|Reserved steering table location)", v -> List.of(
                            switch (v.stTableLocation()) {
                                case 0 -> "No steering table available";
                                case 1 -> "Steering table in TPH capability structure";
                                case 2 -> "Steering table in MSI-X table";
                                default -> "Reserved steering table location";
                            })),
            Check.of("Control", HeaderView.class, "^\tControl: I/O([+-]) Mem([+-]) BusMaster([+-])",
                    v -> List.of(f(v.ioSpaceEnabled()), f(v.memorySpaceEnabled()), f(v.busMasterEnabled()))),
            Check.of("Bus", Type1HeaderView.class, "^\tBus: primary=([0-9a-f]{2}), secondary=([0-9a-f]{2}),"
                    + " subordinate=([0-9a-f]{2}), sec-latency=(\\d+)", v -> List.of(hex(v.primaryBus(), 2),
                            hex(v.secondaryBus(), 2), hex(v.subordinateBus(), 2), dec(v.secondaryLatencyTimer()))));

    static List<String> bits(int value, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(f((value & 1 << i) != 0));
        }
        return out;
    }

    /** A device's lspci text split into the header part and one block per capability line. */
    record Blocks(String header, Map<String, String> capabilities) {

        static String key(boolean extended, int offset) {
            return (extended ? "E" : "S") + Integer.toHexString(offset);
        }

        static final Pattern CAP = Pattern.compile("^\tCapabilities: \\[([0-9a-f]+)( v\\d+)?\\]");

        static Blocks of(List<String> lines) {
            StringBuilder header = new StringBuilder();
            Map<String, StringBuilder> caps = new LinkedHashMap<>();
            StringBuilder current = header;
            for (String line : lines.subList(1, lines.size())) {
                Matcher m = CAP.matcher(line);
                if (m.find()) {
                    current = new StringBuilder();
                    caps.putIfAbsent(key(m.group(2) != null, Integer.parseInt(m.group(1), 16)), current);
                } else if (current != header && !line.startsWith("\t\t")) {
                    current = new StringBuilder(); // e.g. "\tKernel driver in use": not part of a capability
                }
                current.append(line).append('\n');
            }
            Map<String, String> out = new HashMap<>();
            caps.forEach((k, v) -> out.put(k, v.toString()));
            return new Blocks(header.toString(), out);
        }
    }

    @Test
    void decodedValuesAgreeWithLspci() throws Exception {
        CorpusLspci run = CorpusLspci.get();
        List<List<String>> lspciDevices = Lspci.devices(run.output());
        assertThat(lspciDevices).hasSameSizeAs(run.devices());
        Map<String, Integer> compared = new TreeMap<>();
        List<String> mismatches = new ArrayList<>();
        int devicesCompared = 0;
        for (int d = 0; d < run.devices().size(); d++) {
            DeviceImage device = run.devices().get(d);
            Blocks blocks = Blocks.of(lspciDevices.get(d));
            CapabilityChain chain = CapabilityChain.walk(device.config());
            String where = device.origin() + " " + device.address();
            Decoders.header(device.config()).ifPresent(h -> compare(h, blocks.header(), where + " header", compared,
                    mismatches));
            for (Capability c : chain.all().toList()) {
                String block = blocks.capabilities().get(Blocks.key(c.space() == CapabilitySpace.EXTENDED, c.offset()));
                if (block == null) {
                    continue;
                }
                Decoders.view(device.config(), c, chain.traits()).ifPresent(v -> compare(v, block,
                        where + " " + c, compared, mismatches));
            }
            devicesCompared++;
        }
        assertThat(mismatches).as("decoded values that disagree with lspci (%d devices; comparisons per line: %s)",
                devicesCompared, compared).isEmpty();
        for (Check<?> check : CHECKS) {
            assertThat(compared.getOrDefault(check.name(), 0)).as("corpus comparisons for %s", check.name())
                    .isPositive();
        }
        assertThat(compared.get("PASIDCap")).isGreaterThanOrEqualTo(5);
        assertThat(compared.get("LnkCap")).isGreaterThan(100);
    }

    private static void compare(RegisterView view, String block, String where, Map<String, Integer> compared,
            List<String> mismatches) {
        for (Check<?> check : CHECKS) {
            if (check.type().isInstance(view)) {
                run(check, view, block, where, compared, mismatches);
            }
        }
    }

    private static <V extends RegisterView> void run(Check<V> check, RegisterView view, String block, String where,
            Map<String, Integer> compared, List<String> mismatches) {
        Matcher m = check.pattern().matcher(block);
        if (!m.find()) {
            return;
        }
        List<String> actual = new ArrayList<>();
        for (int g = 1; g <= m.groupCount(); g++) {
            actual.add(m.group(g));
        }
        List<String> expected = check.expected().apply(check.type().cast(view));
        compared.merge(check.name(), 1, Integer::sum);
        if (!actual.equals(expected)) {
            mismatches.add(where + ": " + check.name() + " lspci " + actual + " vcap " + expected);
        }
    }
}
