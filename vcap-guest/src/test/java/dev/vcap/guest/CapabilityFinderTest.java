package dev.vcap.guest;

import static dev.vcap.guest.Images.ext;
import static dev.vcap.guest.Images.std;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import org.junit.jupiter.api.Test;

class CapabilityFinderTest {

    private static final int PM = 0x01;
    private static final int MSI = 0x05;
    private static final int VNDR = 0x09;
    private static final int EXP = 0x10;
    private static final int AER = 0x01;
    private static final int VSEC = 0x0B;
    private static final int ATS = 0x0F;
    private static final int PASID = 0x1B;
    private static final int FULL = 4096;

    private static RecordingConfigPort port(ConfigSpace cs) {
        return new RecordingConfigPort(new InMemoryConfigPort(cs));
    }

    private static int find(ConfigSpace cs, int cap) {
        return CapabilityFinder.findCapability(port(cs), Header.TYPE_NORMAL, cap);
    }

    // ------------------------------------------------------------------ standard list

    @Test
    void findCapabilityReturnsTheFirstOfAnIdAndFindNextTheFollowingOnes() {
        ConfigSpace cs = Images.blank();
        cs.setU8(0x34, 0x40);
        std(cs, 0x40, PM, 0x50);
        std(cs, 0x50, MSI, 0x60);
        std(cs, 0x60, EXP, 0x70);
        std(cs, 0x70, MSI, 0x00);
        ConfigPort p = port(cs);
        assertThat(CapabilityFinder.findCapability(p, 0, MSI)).isEqualTo(0x50);
        assertThat(CapabilityFinder.findNextCapability(p, 0x50, MSI)).isEqualTo(0x70);
        assertThat(CapabilityFinder.findNextCapability(p, 0x70, MSI)).isZero();
        assertThat(CapabilityFinder.findCapability(p, 0, EXP)).isEqualTo(0x60);
        assertThat(CapabilityFinder.findCapability(p, 0, 0x11)).isZero();
    }

    @Test
    void withoutCapabilitiesListInStatusThereIsNoListAndOnlyStatusIsRead() {
        ConfigSpace cs = Images.blank();
        cs.setU16(Header.STATUS, 0);
        cs.setU8(0x34, 0x40);
        std(cs, 0x40, PM, 0);
        RecordingConfigPort p = port(cs);
        assertThat(CapabilityFinder.findCapability(p, 0, PM)).isZero();
        assertThat(p.accesses()).extracting(Object::toString).containsExactly("r16 0x006 = 0x0");
    }

    @Test
    void aCardBusBridgeKeepsItsPointerAt0x14() {
        ConfigSpace cs = Images.blank();
        cs.setU8(0x34, 0x80);
        cs.setU8(0x14, 0x40);
        std(cs, 0x40, PM, 0);
        std(cs, 0x80, MSI, 0);
        ConfigPort p = port(cs);
        assertThat(CapabilityFinder.findCapability(p, Header.TYPE_CARDBUS, PM)).isEqualTo(0x40);
        assertThat(CapabilityFinder.findCapability(p, Header.TYPE_CARDBUS, MSI)).isZero();
        assertThat(CapabilityFinder.findCapability(p, Header.TYPE_BRIDGE, MSI)).isEqualTo(0x80);
    }

    @Test
    void anUnknownHeaderTypeHasNoList() {
        ConfigSpace cs = Images.blank();
        cs.setU8(0x34, 0x40);
        std(cs, 0x40, PM, 0);
        assertThat(CapabilityFinder.findCapability(port(cs), 3, PM)).isZero();
        assertThat(CapabilityFinder.capabilityStart(port(cs), 0x7F)).isZero();
    }

    @Test
    void backwardPointersAreFollowed() {
        ConfigSpace cs = Images.blank();
        cs.setU8(0x34, 0xA0);
        std(cs, 0xA0, PM, 0x60);
        std(cs, 0x60, MSI, 0x40);
        std(cs, 0x40, EXP, 0);
        assertThat(find(cs, EXP)).isEqualTo(0x40);
        assertThat(find(cs, MSI)).isEqualTo(0x60);
    }

    @Test
    void aLoopEndsWhenTheTtlOf48StepsRunsOut() {
        ConfigSpace cs = Images.blank();
        cs.setU8(0x34, 0x40);
        std(cs, 0x40, PM, 0x50);
        std(cs, 0x50, MSI, 0x40);
        RecordingConfigPort p = port(cs);
        assertThat(CapabilityFinder.findCapability(p, 0, EXP)).isZero();
        // status, the pointer byte, then one word per step
        assertThat(p.readCount()).isEqualTo(2 + CapabilityFinder.CAP_TTL);
        assertThat(p.accesses().stream().filter(a -> a.width() == 2 && a.offset() >= 0x40)).hasSize(48);
    }

    @Test
    void aSelfLoopEndsTooAndStillFindsWhatIsOnIt() {
        ConfigSpace cs = Images.blank();
        cs.setU8(0x34, 0x40);
        std(cs, 0x40, PM, 0x40);
        assertThat(find(cs, MSI)).isZero();
        assertThat(find(cs, PM)).isEqualTo(0x40);
    }

    @Test
    void aPointerIntoTheHeaderEndsTheWalkEvenWhenTheIdThereMatches() {
        ConfigSpace cs = Images.blank();
        cs.setU8(0x34, 0x40);
        std(cs, 0x40, PM, 0x20);
        std(cs, 0x20, MSI, 0);
        assertThat(find(cs, MSI)).isZero();
        cs.setU8(0x34, 0x3C);
        std(cs, 0x3C, MSI, 0);
        assertThat(find(cs, MSI)).isZero();
    }

    @Test
    void lowPointerBitsAreMaskedOnlyAfterTheHeaderCheck() {
        ConfigSpace cs = Images.blank();
        cs.setU8(0x34, 0x43);
        std(cs, 0x40, PM, 0x53);
        std(cs, 0x50, MSI, 0);
        assertThat(find(cs, PM)).isEqualTo(0x40);
        assertThat(find(cs, MSI)).isEqualTo(0x50);
        // 0x3f is below 0x40 before masking: Linux stops, where pciutils would follow 0x3c
        cs.setU8(0x34, 0x3F);
        std(cs, 0x3C, MSI, 0);
        assertThat(find(cs, MSI)).isZero();
    }

    @Test
    void idFfEndsTheWalk() {
        ConfigSpace cs = Images.blank();
        cs.setU8(0x34, 0x40);
        std(cs, 0x40, 0xFF, 0x50);
        std(cs, 0x50, MSI, 0);
        assertThat(find(cs, MSI)).isZero();
        assertThat(find(cs, 0xFF)).isZero();
    }

    @Test
    void allFortyEightDwordSlotsAreReachable() {
        ConfigSpace cs = Images.blank();
        cs.setU8(0x34, 0x40);
        for (int at = 0x40; at < 0xFC; at += 4) {
            std(cs, at, VNDR, at + 4);
        }
        std(cs, 0xFC, MSI, 0);
        assertThat(find(cs, MSI)).isEqualTo(0xFC);
    }

    // ------------------------------------------------------------------ extended list

    @Test
    void findExtCapabilityReturnsTheFirstAndFindNextSkipsStart() {
        ConfigSpace cs = Images.blank();
        ext(cs, 0x100, AER, 2, 0x140);
        ext(cs, 0x140, VSEC, 1, 0x200);
        ext(cs, 0x200, VSEC, 1, 0);
        ConfigPort p = port(cs);
        assertThat(CapabilityFinder.findExtCapability(p, FULL, VSEC)).isEqualTo(0x140);
        assertThat(CapabilityFinder.findNextExtCapability(p, FULL, 0x140, VSEC)).isEqualTo(0x200);
        assertThat(CapabilityFinder.findNextExtCapability(p, FULL, 0x200, VSEC)).isZero();
        assertThat(CapabilityFinder.findExtCapability(p, FULL, AER)).isEqualTo(0x100);
        assertThat(CapabilityFinder.findNextExtCapability(p, FULL, 0x100, AER)).isZero();
    }

    @Test
    void aConventionalConfigSizeMeansNoExtendedListAndNoReads() {
        ConfigSpace cs = Images.blank();
        ext(cs, 0x100, AER, 2, 0);
        RecordingConfigPort p = port(cs);
        assertThat(CapabilityFinder.findExtCapability(p, 256, AER)).isZero();
        assertThat(p.accesses()).isEmpty();
    }

    @Test
    void aZeroHeaderAt0x100MeansNoExtendedCapabilities() {
        ConfigSpace cs = Images.blank();
        ext(cs, 0x200, AER, 2, 0);
        RecordingConfigPort p = port(cs);
        assertThat(CapabilityFinder.findExtCapability(p, FULL, AER)).isZero();
        assertThat(p.readCount()).isEqualTo(1);
    }

    @Test
    void aNullStubAt0x100WithANextPointerIsFollowed() {
        ConfigSpace cs = Images.blank();
        ext(cs, 0x100, 0, 0, 0x200);
        ext(cs, 0x200, PASID, 1, 0);
        ConfigPort p = port(cs);
        assertThat(CapabilityFinder.findExtCapability(p, FULL, PASID)).isEqualTo(0x200);
        // asking for ID 0 finds the stub itself: the kernel only stops at a header of 0
        assertThat(CapabilityFinder.findExtCapability(p, FULL, 0)).isEqualTo(0x100);
    }

    @Test
    void aZeroHeaderInTheMiddleEndsTheList() {
        ConfigSpace cs = Images.blank();
        ext(cs, 0x100, AER, 2, 0x180);
        ext(cs, 0x200, PASID, 1, 0);
        assertThat(CapabilityFinder.findExtCapability(port(cs), FULL, PASID)).isZero();
    }

    @Test
    void backwardExtendedPointersAreFollowed() {
        ConfigSpace cs = Images.blank();
        ext(cs, 0x100, AER, 2, 0x300);
        ext(cs, 0x300, ATS, 1, 0x200);
        ext(cs, 0x200, PASID, 1, 0);
        assertThat(CapabilityFinder.findExtCapability(port(cs), FULL, PASID)).isEqualTo(0x200);
    }

    @Test
    void aNextOffsetBelow0x100EndsTheList() {
        ConfigSpace cs = Images.blank();
        ext(cs, 0x100, AER, 2, 0x0C0);
        ext(cs, 0x0C0, PASID, 1, 0);
        RecordingConfigPort p = port(cs);
        assertThat(CapabilityFinder.findExtCapability(p, FULL, PASID)).isZero();
        assertThat(p.readCount()).isEqualTo(1);
    }

    @Test
    void lowBitsOfTheNextOffsetAreCleared() {
        ConfigSpace cs = Images.blank();
        ext(cs, 0x100, AER, 2, 0x203);
        ext(cs, 0x200, PASID, 1, 0);
        assertThat(CapabilityFinder.findExtCapability(port(cs), FULL, PASID)).isEqualTo(0x200);
    }

    @Test
    void anExtendedLoopEndsAfter480Reads() {
        ConfigSpace cs = Images.blank();
        ext(cs, 0x100, AER, 2, 0x200);
        ext(cs, 0x200, ATS, 1, 0x100);
        RecordingConfigPort p = port(cs);
        assertThat(CapabilityFinder.findExtCapability(p, FULL, PASID)).isZero();
        assertThat(p.readCount()).isEqualTo(CapabilityFinder.EXT_CAP_TTL).isEqualTo(480);
    }

    @Test
    void anAllOnesHeaderMidChainIsFollowedTo0xffcLikeAnyOther() {
        ConfigSpace cs = Images.blank();
        ext(cs, 0x100, AER, 2, 0x200);
        cs.setU32(0x200, -1);
        ext(cs, 0xFFC, ATS, 1, 0);
        assertThat(CapabilityFinder.findExtCapability(port(cs), FULL, ATS)).isEqualTo(0xFFC);
        // with nothing but all ones at 0xffc the walk circles there until the TTL
        cs.setU32(0xFFC, -1);
        RecordingConfigPort p = port(cs);
        assertThat(CapabilityFinder.findExtCapability(p, FULL, ATS)).isZero();
        assertThat(p.readCount()).isEqualTo(480);
    }

    @Test
    void anUnalignedOrOutOfRangeStartFindsNothing() {
        ConfigSpace cs = Images.blank();
        ext(cs, 0x100, AER, 2, 0x200);
        ext(cs, 0x200, PASID, 1, 0);
        RecordingConfigPort p = port(cs);
        assertThat(CapabilityFinder.findNextExtCapability(p, FULL, 0x102, PASID)).isZero();
        assertThat(CapabilityFinder.findNextExtCapability(p, FULL, 0x1000, PASID)).isZero();
        assertThat(p.accesses()).isEmpty();
    }
}
