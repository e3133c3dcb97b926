package dev.vcap.pci.capability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.occupancy.OccupancyMap;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Chain walking: one test per finding, and the walk never throws. */
class CapabilityChainTest {

    private static ConfigSpaceBuilder endpoint() {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x1234).pcie(0x40, DeviceTraits.PCIE_ENDPOINT);
    }

    private static Finding only(CapabilityChain chain, Finding.Kind kind) {
        assertThat(chain.findings()).extracting(Finding::kind).contains(kind);
        return chain.findings().stream().filter(f -> f.kind() == kind).findFirst().orElseThrow();
    }

    @Test
    void walksBothListsInChainOrderWithLengths() {
        CapabilityChain chain = CapabilityChain.walk(endpoint()
                .standard(0x80, StandardCapability.MSIX)
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x148, ExtendedCapability.ATS, 1)
                .extended(0x150, ExtendedCapability.PASID, 1)
                .extended(0x160, ExtendedCapability.PRI, 1)
                .build());
        assertThat(chain.standard()).extracting(Capability::offset, Capability::id, Capability::length)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0x40, 0x10, 0x3C),
                        org.assertj.core.groups.Tuple.tuple(0x80, 0x11, 12));
        assertThat(chain.extended()).extracting(Capability::offset, Capability::id, Capability::version,
                Capability::length).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0x100, 0x01, 2, 0x2C),
                        org.assertj.core.groups.Tuple.tuple(0x148, 0x0F, 1, 8),
                        org.assertj.core.groups.Tuple.tuple(0x150, 0x1B, 1, 8),
                        org.assertj.core.groups.Tuple.tuple(0x160, 0x13, 1, 16));
        assertThat(chain.findings()).isEmpty();
        assertThat(chain.find(ExtendedCapability.PASID)).get().extracting(Capability::offset).isEqualTo(0x150);
    }

    @Test
    void aLoopEndsTheWalk() {
        ConfigSpace cs = endpoint().extended(0x100, ExtendedCapability.AER, 1).extended(0x200, ExtendedCapability.ARI, 1)
                .build();
        cs.setU32(0x200, ExtendedCapability.header(ExtendedCapability.ARI.id(), 1, 0x100));
        CapabilityChain chain = CapabilityChain.walk(cs);
        assertThat(chain.extended()).hasSize(2);
        assertThat(only(chain, Finding.Kind.LOOP).offset()).isEqualTo(0x100);
        assertThat(only(chain, Finding.Kind.LOOP).severity()).isEqualTo(Finding.Severity.ERROR);
    }

    @Test
    void aBackwardPointerIsFollowedAndNoted() {
        CapabilityChain chain = CapabilityChain.walk(endpoint().extended(0x100, ExtendedCapability.AER, 1)
                .extended(0x300, ExtendedCapability.ATS, 1).extended(0x200, ExtendedCapability.PASID, 1).build());
        assertThat(chain.extended()).extracting(Capability::offset).containsExactly(0x100, 0x300, 0x200);
        assertThat(only(chain, Finding.Kind.BACKWARD_POINTER).offset()).isEqualTo(0x300);
        assertThat(only(chain, Finding.Kind.BACKWARD_POINTER).severity()).isEqualTo(Finding.Severity.INFO);
    }

    @Test
    void overlappingArchitectedLengthsAreReported() {
        CapabilityChain chain = CapabilityChain.walk(endpoint().extended(0x100, ExtendedCapability.AER, 1)
                .extended(0x120, ExtendedCapability.ATS, 1).build());
        Finding f = only(chain, Finding.Kind.OVERLAP);
        assertThat(f.offset()).isEqualTo(0x120);
        assertThat(f.message()).isEqualTo("Advanced Error Reporting at 0x100 (44 bytes, to 0x12c) overlaps Address"
                + " Translation Service (ATS) at 0x120");
    }

    @Test
    void aStandardPointerIntoTheHeaderIsReported() {
        ConfigSpace cs = endpoint().build();
        cs.setU8(0x41, 0x20); // PCIe cap's next pointer -> 0x20, inside the header
        cs.setU8(0x20, 0x09);
        cs.setU8(0x21, 0x00);
        CapabilityChain chain = CapabilityChain.walk(cs);
        assertThat(chain.standard()).extracting(Capability::offset).containsExactly(0x40, 0x20);
        assertThat(only(chain, Finding.Kind.POINTER_INTO_HEADER).offset()).isEqualTo(0x20);
    }

    @Test
    void anExtendedPointerBelow0x100EndsTheList() {
        ConfigSpace cs = endpoint().extended(0x100, ExtendedCapability.AER, 1).build();
        cs.setU32(0x100, ExtendedCapability.header(1, 1, 0x40));
        CapabilityChain chain = CapabilityChain.walk(cs);
        assertThat(chain.extended()).hasSize(1);
        assertThat(only(chain, Finding.Kind.POINTER_OUT_OF_RANGE).message()).contains("points below 0x100");
    }

    @Test
    void anUnalignedPointerIsFollowedMasked() {
        ConfigSpace cs = endpoint().standard(0x80, StandardCapability.MSIX).build();
        cs.setU8(0x41, 0x82);
        CapabilityChain chain = CapabilityChain.walk(cs);
        assertThat(chain.standard()).extracting(Capability::offset).containsExactly(0x40, 0x80);
        assertThat(only(chain, Finding.Kind.UNALIGNED_POINTER).message()).contains("0x82").contains("followed as 0x80");
    }

    @Test
    void aPointerPastTheCapturedBytesIsATruncatedImage() {
        ConfigSpace full = endpoint().build();
        ConfigSpace header = ConfigSpace.copyOf(full.slice(0, 64));
        CapabilityChain chain = CapabilityChain.walk(header);
        assertThat(chain.standard()).isEmpty();
        assertThat(only(chain, Finding.Kind.TRUNCATED_IMAGE).message())
                .isEqualTo("capability pointer 0x40 reaches past the 64 captured bytes");
    }

    @Test
    void aConventionalDumpOfAPcieDeviceSaysExtendedSpaceIsMissing() {
        ConfigSpace cs = ConfigSpace.copyOf(endpoint().build().slice(0, 256));
        assertThat(only(CapabilityChain.walk(cs), Finding.Kind.EXTENDED_SPACE_MISSING).severity())
                .isEqualTo(Finding.Severity.INFO);
    }

    @Test
    void anAllOnesImageIsAFunctionNotResponding() {
        ConfigSpace cs = ConfigSpace.allocate(256);
        cs.fill(0, 256, 0xFF);
        CapabilityChain chain = CapabilityChain.walk(cs);
        assertThat(chain.findings()).extracting(Finding::kind).containsExactly(Finding.Kind.FUNCTION_NOT_RESPONDING);
        assertThat(chain.findings().getFirst().message()).startsWith("function not responding");
        assertThat(chain.all()).isEmpty();
        assertThat(chain.undecodable()).isTrue();
    }

    /**
     * A Vendor ID and Header Type of all ones are a function that did not answer even when other
     * bytes are not all ones (here the Interrupt Line the OS wrote, and an extended space read as
     * zero): the pointer 0xff is not followed into a "chain broken" capability, and no gap is
     * reported. A VF's Vendor ID reads 0xffff too, but its header type is 0: it is walked.
     */
    @Test
    void idAndHeaderTypeOfAllOnesAreAFunctionNotRespondingWhateverTheRestReads() {
        ConfigSpace cs = ConfigSpace.allocate(4096);
        cs.fill(0, 256, 0xFF);
        cs.setU8(Header.INTERRUPT_LINE, 0x0B);
        CapabilityChain chain = CapabilityChain.walk(cs);
        assertThat(chain.findings()).extracting(Finding::kind).containsExactly(Finding.Kind.FUNCTION_NOT_RESPONDING);
        assertThat(chain.all()).isEmpty();
        OccupancyMap map = OccupancyMap.of(cs, chain);
        assertThat(map.gaps()).isEmpty();
        assertThat(map.nonZeroInGaps()).isEmpty();

        ConfigSpace vf = endpoint().extended(0x100, ExtendedCapability.ATS, 1).build();
        vf.setU32(Header.VENDOR_ID, 0xFFFF_FFFF);
        CapabilityChain vfChain = CapabilityChain.walk(vf);
        assertThat(vfChain.undecodable()).isFalse();
        assertThat(vfChain.has(ExtendedCapability.ATS)).isTrue();
    }

    /** pciutils prints "Unknown header type" and decodes nothing past it; so does the walk. */
    @Test
    void anUnknownHeaderTypeIsNotWalked() {
        ConfigSpace cs = endpoint().extended(0x100, ExtendedCapability.AER, 1).build();
        cs.setU8(Header.HEADER_TYPE, 0x7F);
        CapabilityChain chain = CapabilityChain.walk(cs);
        assertThat(chain.findings()).extracting(Finding::kind).containsExactly(Finding.Kind.UNKNOWN_HEADER_TYPE);
        assertThat(only(chain, Finding.Kind.UNKNOWN_HEADER_TYPE).message()).contains("0x7f");
        assertThat(chain.all()).isEmpty();
        assertThat(OccupancyMap.of(cs, chain).gaps()).isEmpty();
    }

    @Test
    void anAllZeroHeaderIsReported() {
        assertThat(CapabilityChain.walk(ConfigSpace.allocate(4096)).findings()).extracting(Finding::kind)
                .containsExactly(Finding.Kind.ZERO_HEADER);
    }

    @Test
    void aPointerToAZeroExtendedHeaderIsReported() {
        ConfigSpace cs = endpoint().extended(0x100, ExtendedCapability.AER, 1).build();
        cs.setU32(0x100, ExtendedCapability.header(1, 1, 0x400));
        assertThat(only(CapabilityChain.walk(cs), Finding.Kind.ZERO_CAPABILITY_HEADER).offset()).isEqualTo(0x400);
    }

    @Test
    void idFfIsABrokenChain() {
        ConfigSpace cs = endpoint().build();
        cs.setU8(0x41, 0x90);
        cs.setU8(0x90, 0xFF);
        CapabilityChain chain = CapabilityChain.walk(cs);
        assertThat(chain.standard()).hasSize(1);
        assertThat(only(chain, Finding.Kind.CHAIN_BROKEN).offset()).isEqualTo(0x90);
    }

    @Test
    void unknownIdsAreReportedAndBoundedByTheNextCapability() {
        CapabilityChain chain = CapabilityChain.walk(endpoint().extended(0x100, 0x7777, 1, (c, at) -> { })
                .extended(0x180, ExtendedCapability.ATS, 1).build());
        Capability unknown = chain.extended().get(0);
        assertThat(unknown.lengthKnown()).isFalse();
        assertThat(unknown.length()).isEqualTo(0x80);
        assertThat(unknown.name()).isEqualTo("Extended Capability ID 0x7777");
        assertThat(only(chain, Finding.Kind.UNKNOWN_ID).severity()).isEqualTo(Finding.Severity.INFO);
    }

    @Test
    void aStructurePastTheEndOfItsSpaceIsReported() {
        ConfigSpace cs = endpoint().extended(0x100, ExtendedCapability.AER, 1).extended(0xFF8, ExtendedCapability.PRI, 1)
                .build();
        assertThat(only(CapabilityChain.walk(cs), Finding.Kind.EXTENDS_PAST_END).message())
                .isEqualTo("Page Request Interface (PRI) at 0xff8 is 16 bytes long and runs past 0x1000");
    }

    @Test
    void extendedSpaceOfANonExpressDeviceIsNotWalked() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x1002, 0x7911).build();
        cs.setU32(0x100, ExtendedCapability.header(1, 1, 0));
        CapabilityChain chain = CapabilityChain.walk(cs);
        assertThat(chain.extended()).isEmpty();
        assertThat(only(chain, Finding.Kind.EXTENDED_SPACE_NOT_WALKED).offset()).isEqualTo(0x100);
    }

    @Test
    void vfiosNullStubAt0x100IsAFourByteNullCapability() {
        ConfigSpace cs = endpoint().extended(0x100, ExtendedCapability.SRIOV, 1).extended(0x200, ExtendedCapability.ATS, 1)
                .build();
        cs.setU32(0x100, ExtendedCapability.header(0, 0, 0x200));
        Capability stub = CapabilityChain.walk(cs).extended().get(0);
        assertThat(stub.name()).isEqualTo("Null");
        assertThat(stub.length()).isEqualTo(4);
    }

    @Test
    void cardbusBridgesKeepTheirPointerAt0x14() {
        ConfigSpace cs = ConfigSpace.allocate(256);
        cs.setU16(Header.VENDOR_ID, 0x104c);
        cs.setU8(Header.HEADER_TYPE, Header.TYPE_CARDBUS);
        cs.setU16(Header.STATUS, Header.STATUS_CAPABILITY_LIST);
        cs.setU8(0x14, 0xA0);
        cs.setU8(0xA0, StandardCapability.PM.id());
        assertThat(CapabilityChain.walk(cs).standard()).extracting(Capability::offset).containsExactly(0xA0);
    }

    @Test
    void randomBytesNeverThrowAndAlwaysTerminate() {
        Random random = new Random(0x5EED);
        for (int i = 0; i < 20_000; i++) {
            int length = switch (random.nextInt(4)) {
                case 0 -> 64;
                case 1 -> 256;
                case 2 -> 16 * (4 + random.nextInt(252));
                default -> 4096;
            };
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            bytes[Header.STATUS] |= Header.STATUS_CAPABILITY_LIST;
            if (length > 0x40 && random.nextBoolean()) {
                bytes[0x40] = 0x10; // make extended walks likely
            }
            CapabilityChain chain = CapabilityChain.walk(ConfigSpace.wrap(bytes));
            assertThat(chain.standard().size()).isLessThanOrEqualTo(64);
            assertThat(chain.extended().size()).isLessThanOrEqualTo(1024);
            dev.vcap.pci.occupancy.OccupancyMap.of(ConfigSpace.wrap(bytes), chain).nonZeroInGaps();
        }
    }
}
