package dev.vcap.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.sim.SimHost;
import dev.vcap.host.sim.SimIommufd;
import dev.vcap.host.sim.SimPciDev;
import dev.vcap.host.testing.Devices;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.vmm.config.Origin;
import dev.vcap.vmm.config.VirtualCapability;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.synth.Synthesizers;
import dev.vcap.vmm.viommu.BindOutcome;
import dev.vcap.vmm.viommu.GuestPasidEntry;
import dev.vcap.vmm.viommu.VIommu;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An untrusted guest writes every byte of config space with several patterns, at every width and
 * every alignment, interleaved with vIOMMU binds and unbinds. Afterwards the device may differ from
 * before only where the allowlist below says a guest write may reach it, the host kernel's PCI
 * state (PASID, ATS, PRI enables) is as it was, the guest's chain is as it was, synthesized
 * registers changed only in their guest-writable bits, and hidden ranges read as before.
 *
 * <p>The allowlist is written out here, independently of {@code WritePolicy}, so a policy that
 * grows more permissive fails this test.
 */
class AdversarialGuestTest {

    private static final int[] PATTERNS = {0xFFFFFFFF, 0x00000000, 0xA5A5A5A5, 0x5A5A5A5A};
    private static final long SEED = 0x5EED_0008L;

    /** Bits of one register a guest write may change on the device: offset from the structure, and per-byte masks. */
    record Allowed(int offset, int... byteMasks) {
    }

    /** Per structure, what may change on the device. Anything not listed must stay as it was. */
    private static final List<Allowed> HEADER = List.of(
            new Allowed(0x04, 0x47, 0x05), // Command: I/O, Memory, Bus Master, Parity, SERR, INTx Disable
            new Allowed(0x06, 0x00, 0xF9)); // Status: the error bits, write-1-to-clear on the device
    private static final Map<CapabilityKind, List<Allowed>> CAPABILITIES = Map.of(
            StandardCapability.PM, List.of(new Allowed(4, 0x03, 0x81)), // PMCSR: power state, PME En, PME Status
            StandardCapability.PCI_EXPRESS, List.of(
                    new Allowed(0x08, 0xFF, 0x7F), // Device Control but Initiate FLR
                    new Allowed(0x0A, 0x0F, 0x00)), // Device Status error bits
            ExtendedCapability.AER, List.of(new Allowed(0x04, ones(20)), // status, masks, severity
                    new Allowed(0x18, 0x40, 0x01)), // ECRC generation and check enables
            // not the guest's: the host IOMMU driver enables PRI while a fault-capable HWPT is attached
            ExtendedCapability.PRI, List.of(new Allowed(0x04, 0x01, 0x00), new Allowed(0x0C, ones(4))));
    /** Vendor-specific structures take raw writes from this offset (past their read-only headers) to their end. */
    private static final Map<CapabilityKind, Integer> RAW_FROM = Map.of(
            StandardCapability.VENDOR, 3, ExtendedCapability.VENDOR, 8, ExtendedCapability.DVSEC, 10);

    private static int[] ones(int n) {
        int[] m = new int[n];
        java.util.Arrays.fill(m, 0xFF);
        return m;
    }

    /**
     * A PF like {@link Devices#sriovPf()} — PASID (hidden by vfio), ATS and PRI (replaced by
     * synthesized ones), SR-IOV (hidden by the policy), PM, MSI-X (emulated) — plus AER, a standard
     * and an extended vendor-specific capability, and vendor registers in a standard and an extended gap.
     */
    static ConfigSpace device() {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x1234).classCode(0x030000).subsystem(0x8086, 1)
                .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .with((cs, at) -> {
                    cs.setU32(0x44, cs.u32(0x44) | 1 << 28); // FLR
                    cs.setU32(0x64, 1 << 21 | 1 << 22); // End-End TLP prefixes
                    cs.setU32(0x10, 0xFE00_000C); // a 64-bit prefetchable BAR0
                    cs.setU32(0xC0, 0xC0DE_0001); // a vendor register in a standard gap (be2net-like)
                    cs.setU32(0xA00, 0xC0DE_0002); // and one in an extended gap
                })
                .standard(0x80, StandardCapability.MSIX, (cs, at) -> cs.setU16(at + 2, 7))
                .standard(0x90, StandardCapability.PM, (cs, at) -> cs.setU16(at + 2, 0x0003))
                .standard(0xA0, StandardCapability.VENDOR, (cs, at) -> cs.setU8(at + 2, 0x10))
                .extended(0x100, ExtendedCapability.PASID, 1, (cs, at) -> cs.setU16(at + 4, 20 << 8 | 2))
                .extended(0x200, ExtendedCapability.ATS, 1, (cs, at) -> cs.setU16(at + 4, 0x0020))
                .extended(0x300, ExtendedCapability.PRI, 1, (cs, at) -> {
                    cs.setU16(at + 6, 0x0100 | 0x8000);
                    cs.setU32(at + 8, 0x200);
                })
                .extended(0x320, ExtendedCapability.SRIOV, 1, (cs, at) -> {
                    cs.setU16(at + 0x0E, 4);
                    cs.setU16(at + 0x14, 1);
                    cs.setU16(at + 0x16, 1);
                    cs.setU16(at + 0x1A, 0x1235);
                })
                .extended(0x400, ExtendedCapability.AER, 2)
                .extended(0x500, ExtendedCapability.VENDOR, 1, (cs, at) -> cs.setU32(at + 4, 0x020_1_0001))
                .build();
    }

    /** Per byte of the physical device, the bits a guest write may change. */
    static int[] allowlist(ConfigSpace physical, List<VirtualCapability> synthesized) {
        int[] allowed = new int[physical.length()];
        boolean[] owned = new boolean[physical.length()];
        java.util.Arrays.fill(owned, 0, 0x40, true);
        apply(allowed, 0, HEADER);
        for (Capability c : CapabilityChain.walk(physical).all().toList()) {
            java.util.Arrays.fill(owned, c.offset(), Math.min(c.offset() + c.length(), owned.length), true);
            CapabilityKind kind = CapabilityKind.lookup(c.space(), c.id()).orElse(null);
            apply(allowed, c.offset(), CAPABILITIES.getOrDefault(kind, List.of()));
            Integer raw = RAW_FROM.get(kind);
            if (raw != null) {
                java.util.Arrays.fill(allowed, c.offset() + raw, c.offset() + c.length(), 0xFF);
            }
        }
        // standard-space gaps take raw writes (vfio allows them; be2net keeps registers there) — but
        // not where the VMM put a synthesized capability; extended-space gaps take none
        for (int b = 0x40; b < ConfigSpace.CONVENTIONAL_SIZE; b++) {
            int at = b;
            boolean synth = synthesized.stream().anyMatch(s -> at >= s.offset() && at < s.offset() + s.length());
            if (!owned[b] && !synth) {
                allowed[b] = 0xFF;
            }
        }
        return allowed;
    }

    private static void apply(int[] allowed, int base, List<Allowed> table) {
        for (Allowed a : table) {
            for (int i = 0; i < a.byteMasks().length; i++) {
                allowed[base + a.offset() + i] |= a.byteMasks()[i];
            }
        }
    }

    record KernelState(boolean pasid, int pasidFeatures, boolean ats, boolean pri) {
        static KernelState of(SimPciDev d) {
            return new KernelState(d.pasidEnabled(), d.pasidFeatures(), d.atsEnabled(), d.priEnabled());
        }
    }

    @Test
    void everyByteEveryWidthEveryAlignmentWithBindsInterleaved() {
        SimHost host = SimHost.builder().function(Devices.PF, device()).build();
        VIommu vtd = new VIommu.IntelVtd(true, 19, true, false, true);
        try (SimIommufd fd = host.openIommufd()) {
            AssignedDevice d = AssignedDevice.attach(host, Devices.PF, fd, vtd, TestAttach.PRI_AND_ATS, line -> { });
            VirtualConfigSpace vcs = d.vcs();
            List<VirtualCapability> synthesized = vcs.layout().all()
                    .filter(c -> c.origin() == Origin.SYNTHESIZED || c.origin() == Origin.VIRTUAL).toList();
            assertThat(synthesized).extracting(VirtualCapability::id)
                    .contains(ExtendedCapability.PASID.id(), ExtendedCapability.ATS.id(), ExtendedCapability.PRI.id());
            ConfigSpace deviceBefore = host.function(Devices.PF).snapshot();
            KernelState kernelBefore = KernelState.of(host.pciDev(Devices.PF));
            ConfigSpace guestBefore = vcs.guestImage();
            String chainBefore = CapabilityChain.walk(guestBefore).all().toList().toString();
            int pasidControl = vcs.layout().find(ExtendedCapability.PASID).orElseThrow().offset()
                    + Synthesizers.PASID_CONTROL;

            Random random = new Random(SEED);
            Set<Integer> everBound = new HashSet<>();
            List<Integer> patterns = new ArrayList<>();
            for (int p : PATTERNS) {
                patterns.add(p);
            }
            patterns.add(random.nextInt());
            long writes = 0;
            int bound = 0;
            int refused = 0;
            for (int pattern : patterns) {
                for (int width : new int[] {1, 2, 4}) {
                    for (int offset = 0; offset + width <= vcs.size(); offset++) {
                        vcs.write(offset, width, pattern);
                        vcs.read(offset, width);
                        if (++writes % 251 == 0) {
                            if (writes % 1004 == 0) {
                                vcs.write(pasidControl, 2, Synthesizers.PASID_ENABLE); // the guest keeps trying
                            }
                            int pasid = 1 + random.nextInt((1 << 20) - 1);
                            BindOutcome out = d.binder().bind(new GuestPasidEntry(pasid, random.nextLong() & ~0xFFFL,
                                    random.nextInt(4) == 0));
                            switch (out) {
                                case BindOutcome.Bound b -> {
                                    bound++;
                                    everBound.add(pasid);
                                }
                                case BindOutcome.Refused r -> refused++;
                                case BindOutcome.Unbound u -> throw new AssertionError("a bind answered " + u);
                            }
                            if (random.nextInt(3) == 0 && !d.binder().bindings().isEmpty()) {
                                d.binder().unbind(d.binder().bindings().keySet().iterator().next());
                            }
                            for (int p : everBound) {
                                assertThat(host.iommuDevice(Devices.PF).pasidDomain(p) != 0)
                                        .as("PASID %d attached on the host iff the vIOMMU has it bound", p)
                                        .isEqualTo(d.binder().bindings().containsKey(p));
                            }
                        }
                    }
                }
            }
            assertThat(bound).as("binds that went through").isPositive();
            assertThat(refused).as("binds refused (PASID Enable cleared by the patterns, ...)").isPositive();

            ConfigSpace deviceAfter = host.function(Devices.PF).snapshot();
            int[] allowed = allowlist(device(), synthesized);
            for (int b = 0; b < deviceAfter.length(); b++) {
                int changed = deviceBefore.u8(b) ^ deviceAfter.u8(b);
                assertThat(changed & ~allowed[b]).as("device byte 0x%03x changed 0x%02x -> 0x%02x outside the allowlist"
                        + " (0x%02x)", b, deviceBefore.u8(b), deviceAfter.u8(b), allowed[b]).isZero();
            }
            assertThat(deviceAfter.u32(0xC0)).as("the standard gap register took the guest's raw writes")
                    .isNotEqualTo(0xC0DE_0001);
            assertThat(deviceAfter.u32(0xA00)).as("the extended gap register did not").isEqualTo(0xC0DE_0002);
            assertThat(KernelState.of(host.pciDev(Devices.PF))).as("PASID/ATS/PRI enables are the host kernel's")
                    .isEqualTo(kernelBefore);

            ConfigSpace guestAfter = vcs.guestImage();
            assertThat(CapabilityChain.walk(guestAfter).all().toList().toString()).as("the guest's chain")
                    .isEqualTo(chainBefore);
            for (VirtualCapability s : synthesized) {
                for (int b = s.offset(); b < s.offset() + s.length(); b++) {
                    int readOnly = ~vcs.masks(b).writable() & ~vcs.masks(b).w1c() & 0xFF;
                    if (s.is(ExtendedCapability.PRI) && b == s.offset() + Synthesizers.PRI_STATUS + 1) {
                        readOnly &= ~0x01; // Stopped: read-only, but follows Enable
                    }
                    assertThat((guestBefore.u8(b) ^ guestAfter.u8(b)) & readOnly)
                            .as("read-only bits of synthesized %s at 0x%03x", s, b).isZero();
                }
            }
            for (var h : vcs.layout().hidden()) {
                for (int b = h.offset(); b < h.offset() + h.length(); b++) {
                    int at = b;
                    if (synthesized.stream().anyMatch(s -> at >= s.offset() && at < s.offset() + s.length())) {
                        continue; // a dropped capability's bytes, reused by a synthesized one (checked above)
                    }
                    assertThat(guestAfter.u8(b)).as("hidden %s at 0x%03x reads as before", h.name(), b)
                            .isEqualTo(guestBefore.u8(b));
                }
            }
            d.close();
            assertThat(fd.objectCount()).as("no leak").isZero();
            assertThat(host.iommuDevice(Devices.PF).pasidEntries()).isZero();
        }
    }
}
