package dev.vcap.guest;

import static dev.vcap.guest.Images.ext;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import org.junit.jupiter.api.Test;

class VerifyCachedOffsetsTest {

    private static final int PASID = ExtendedCapability.PASID.id();
    private static final int ATS = ExtendedCapability.ATS.id();
    private static final int PRI = ExtendedCapability.PRI.id();

    @Test
    void aGuestRightAfterProbeHasNoProblemsAndVerifyingOnlyReads() {
        for (ConfigSpace cs : new ConfigSpace[] {Images.dsaLike(), ProbeTest.everything()}) {
            Fixture f = Fixture.of(cs);
            assertThat(f.dev().verifyCachedOffsets()).isEmpty();
            assertThat(f.port().writes()).isEmpty();
            assertThat(f.port().readCount()).isEqualTo(f.dev().cachedOffsets().size());
        }
    }

    @Test
    void aCapabilityMovedAwayIsReportedAtItsCachedOffset() {
        Fixture f = Fixture.of(Images.dsaLike());
        // the destination places PASID at 0x1c0 and leaves 0x180 empty
        ConfigSpace dest = Images.dsaLike();
        ext(dest, 0x170, PRI, 1, 0x1C0);
        dest.put(0x1C0, dest.slice(0x180, 8));
        dest.fill(0x180, 8, 0);
        f.memory().swap(dest);
        assertThat(f.dev().verifyCachedOffsets()).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo(CachedField.PASID_CAP);
            assertThat(p.offset()).isEqualTo(0x180);
            assertThat(p.expected()).isEqualTo(ExtendedCapability.PASID);
            assertThat(p.reason()).isEqualTo(OffsetProblem.Reason.NO_HEADER);
            assertThat(p.found()).isZero();
            assertThat(p.describe()).isEqualTo("pasid_cap at 0x180 (PASID): header reads 0x00000000");
        });
        // a fresh guest on the destination finds it; the old one never looks again
        assertThat(GuestPciDev.probe(new InMemoryConfigPort(dest)).pasidCap()).isEqualTo(0x1C0);
        assertThat(f.dev().pasidCap()).isEqualTo(0x180);
    }

    @Test
    void capabilitiesThatSwappedPlacesAreBothReportedWithWhatIsThereNow() {
        Fixture f = Fixture.of(Images.dsaLike());
        ConfigSpace dest = Images.dsaLike();
        byte[] ats = dest.slice(0x160, 16);
        dest.put(0x160, dest.slice(0x170, 16));
        dest.put(0x170, ats);
        ext(dest, 0x150, ExtendedCapability.ACS.id(), 1, 0x160);
        ext(dest, 0x160, PRI, 1, 0x170);
        ext(dest, 0x170, ATS, 1, 0x180);
        f.memory().swap(dest);
        assertThat(f.dev().verifyCachedOffsets()).extracting(OffsetProblem::describe).containsExactly(
                "ats_cap at 0x160 (ATS): found Page Request Interface (PRI)",
                "pri_cap at 0x170 (PRI): found Address Translation Service (ATS)");
        assertThat(f.dev().verifyCachedOffsets()).extracting(OffsetProblem::foundId).containsExactly(PRI, ATS);
    }

    @Test
    void aNullStubWhereTheGuestCachedACapabilityIsTheWrongId() {
        Fixture f = Fixture.of(Images.dsaLike());
        f.cs().setU32(0x100, ExtendedCapability.header(0, 0, 0x150)); // AER hidden the vfio way
        assertThat(f.dev().verifyCachedOffsets()).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo(CachedField.AER_CAP);
            assertThat(p.reason()).isEqualTo(OffsetProblem.Reason.WRONG_ID);
            assertThat(p.foundId()).isZero();
            assertThat(p.describe()).isEqualTo("aer_cap at 0x100 (AER): found Null");
        });
    }

    @Test
    void extendedSpaceThatNoLongerAnswersReportsEveryExtendedOffset() {
        Fixture f = Fixture.of(Images.dsaLike());
        f.memory().swap(Images.dsaLike().resized(256, 0));
        assertThat(f.dev().verifyCachedOffsets()).extracting(OffsetProblem::field).containsExactly(CachedField.ATS_CAP,
                CachedField.PRI_CAP, CachedField.PASID_CAP, CachedField.ACS_CAP, CachedField.AER_CAP);
        assertThat(f.dev().verifyCachedOffsets()).allSatisfy(p -> {
            assertThat(p.reason()).isEqualTo(OffsetProblem.Reason.NO_HEADER);
            assertThat(p.found()).isEqualTo(-1);
        });
    }

    @Test
    void theRightIdLinkingBelow0x100IsABadHeader() {
        Fixture f = Fixture.of(Images.dsaLike());
        ext(f.cs(), 0x180, PASID, 1, 0x0F0);
        assertThat(f.dev().verifyCachedOffsets()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(OffsetProblem.Reason.BAD_NEXT);
            assertThat(p.describe()).isEqualTo("pasid_cap at 0x180 (PASID): next offset 0x0f0 points below 0x100");
        });
    }

    @Test
    void aMovedStandardCapabilityIsReportedWithTheIdFound() {
        ConfigSpace src = ConfigSpaceBuilder.endpoint(0x15B3, 0x101E)
                .standard(0x40, StandardCapability.PM, (c, at) -> c.setU16(at + 2, 3))
                .pcie(0x60, DeviceTraits.PCIE_ENDPOINT)
                .standard(0x9C, StandardCapability.MSIX)
                .build();
        ConfigSpace dest = ConfigSpaceBuilder.endpoint(0x15B3, 0x101E)
                .standard(0x40, StandardCapability.PM, (c, at) -> c.setU16(at + 2, 3))
                .pcie(0x60, DeviceTraits.PCIE_ENDPOINT)
                .standard(0xA0, StandardCapability.MSIX)
                .standard(0x9C, StandardCapability.VENDOR)
                .build();
        Fixture f = Fixture.of(src);
        f.memory().swap(dest);
        assertThat(f.dev().verifyCachedOffsets()).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo(CachedField.MSIX_CAP);
            assertThat(p.offset()).isEqualTo(0x9C);
            assertThat(p.expected()).isEqualTo(StandardCapability.MSIX);
            assertThat(p.found()).isEqualTo(0x09);
            assertThat(p.describe()).isEqualTo("msix_cap at 0x9c (MSI-X): found Vendor Specific Information");
        });
    }

    @Test
    void aStaleOffsetIsWhereTheGuestGoesOnWriting() {
        Fixture f = Fixture.of(Images.dsaLike());
        ConfigSpace dest = Images.dsaLike();
        ext(dest, 0x170, PRI, 1, 0x1C0);
        dest.put(0x1C0, dest.slice(0x180, 8));
        dest.fill(0x180, 8, 0);
        f.memory().swap(dest);
        f.port().clear();
        assertThat(f.dev().enablePasid(GuestPciDev.PASID_EXEC)).isEqualTo(Errno.EINVAL); // reads 0 at 0x184
        ConfigSpace dest2 = Images.dsaLike();
        dest2.setU32(0x180, ExtendedCapability.header(ExtendedCapability.VENDOR.id(), 1, 0));
        dest2.setU16(0x184, 0x0006);
        f.memory().swap(dest2);
        assertThat(f.dev().enablePasid(GuestPciDev.PASID_EXEC)).isEqualTo(Errno.OK);
        // the write lands in whatever now lives at 0x186
        assertThat(dest2.u16(0x186)).isEqualTo(0x0003);
    }
}
