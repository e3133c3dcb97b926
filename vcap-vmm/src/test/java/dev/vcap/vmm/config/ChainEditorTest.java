package dev.vcap.vmm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.Finding;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chain editor, including each case that broke QEMU's pcie_insert_capability(). */
class ChainEditorTest {

    static final CapabilityDefinition PASID = Synthesizers.pasid(new PasidSupport(20, false, false));

    static VirtualConfigSpace over(ConfigSpace cs) {
        return VirtualConfigSpace.over(new InMemoryConfigRegion(cs));
    }

    /** What a guest walking the chains finds, checked against what the editor says it built. */
    static CapabilityChain guestChain(VirtualConfigSpace vcs) {
        CapabilityChain chain = CapabilityChain.walk(vcs.guestImage());
        assertThat(chain.findings()).extracting(Finding::kind).doesNotContain(Finding.Kind.LOOP, Finding.Kind.OVERLAP,
                Finding.Kind.CHAIN_BROKEN, Finding.Kind.ZERO_CAPABILITY_HEADER, Finding.Kind.POINTER_OUT_OF_RANGE);
        VirtualLayout layout = vcs.layout();
        List<Integer> expected = new java.util.ArrayList<>();
        if (layout.extendedStub()) {
            expected.add(ChainEditor.EXTENDED_HEAD);
        }
        layout.extended().forEach(c -> expected.add(c.offset()));
        assertThat(chain.extended()).extracting(Capability::offset).containsExactlyElementsOf(expected);
        assertThat(chain.standard()).extracting(Capability::offset)
                .containsExactlyElementsOf(layout.standard().stream().map(VirtualCapability::offset).toList());
        return chain;
    }

    private static ConfigSpaceBuilder endpoint() {
        return ConfigSpaceBuilder.endpoint(0x15b3, 0x101b).pcie(0x40, DeviceTraits.PCIE_ENDPOINT);
    }

    @Test
    void hidingRelinksThePreviousCapability() {
        VirtualConfigSpace vcs = over(endpoint().extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x140, ExtendedCapability.ARI, 1).extended(0x150, ExtendedCapability.ATS, 1).build());
        vcs.editor().hide(vcs.layout().find(ExtendedCapability.ARI).orElseThrow(), "test");
        assertThat(vcs.read(0x100, 4) >>> 20).isEqualTo(0x150);
        assertThat(guestChain(vcs).extended()).extracting(Capability::id).containsExactly(0x01, 0x0F);
        assertThat(vcs.layout().hidden()).singleElement().satisfies(h -> assertThat(h.offset()).isEqualTo(0x140));
    }

    @Test
    void hidingTheCapabilityAt0x100LeavesANullStubWithItsNextPointer() {
        VirtualConfigSpace vcs = over(endpoint().extended(0x100, ExtendedCapability.SRIOV, 1)
                .extended(0x140, ExtendedCapability.ATS, 1).build());
        vcs.editor().hide(vcs.layout().find(ExtendedCapability.SRIOV).orElseThrow(), "test");
        assertThat(vcs.read(0x100, 4)).isEqualTo(ExtendedCapability.header(0, 0, 0x140));
        assertThat(guestChain(vcs).extended()).extracting(Capability::id).containsExactly(0x00, 0x0F);
    }

    @Test
    void hidingTheOnlyExtendedCapabilityEmptiesTheList() {
        VirtualConfigSpace vcs = over(endpoint().extended(0x100, ExtendedCapability.AER, 1).build());
        vcs.editor().hide(vcs.layout().extended().get(0), "test");
        assertThat(vcs.read(0x100, 4)).isZero();
        assertThat(guestChain(vcs).extended()).isEmpty();
    }

    @Test
    void hidingAStandardCapabilityRelinksThePointerChain() {
        VirtualConfigSpace vcs = over(endpoint().standard(0x80, StandardCapability.MSIX)
                .standard(0x90, StandardCapability.PM).build());
        vcs.editor().hide(vcs.layout().find(StandardCapability.MSIX).orElseThrow(), "test");
        assertThat(vcs.read(0x41, 1)).isEqualTo(0x90);
        vcs.editor().hide(vcs.layout().find(StandardCapability.PCI_EXPRESS).orElseThrow(), "test");
        assertThat(vcs.read(0x34, 1)).isEqualTo(0x90);
        guestChain(vcs);
    }

    @Test
    void droppingZeroesTheBytesAndReleasesThem() {
        VirtualConfigSpace vcs = over(endpoint().extended(0x100, ExtendedCapability.AER, 1)
                .extended(0x200, ExtendedCapability.SRIOV, 1, (c, at) -> c.setU32(at + 0x0C, 0xFFFFFFFF)).build());
        VirtualCapability sriov = vcs.layout().find(ExtendedCapability.SRIOV).orElseThrow();
        assertThat(vcs.editor().check(sriov.space(), 0x200, 8)).get()
                .extracting(ChainEditException::reason).isEqualTo(ChainEditException.Reason.OVERLAP);
        vcs.editor().drop(sriov, "test");
        assertThat(vcs.read(0x20C, 4)).isZero();
        vcs.editor().insert(0x200, PASID);
        guestChain(vcs);
    }

    @Test
    void insertRefusesOverlapWithTheArchitectedLengthNotJustTheHeader() {
        VirtualConfigSpace vcs = over(endpoint().extended(0x100, ExtendedCapability.AER, 2).build());
        assertThatThrownBy(() -> vcs.editor().insert(0x120, PASID)).isInstanceOf(ChainEditException.class)
                .hasMessageContaining("overlap extended Advanced Error Reporting@0x100 (44 bytes")
                .extracting(e -> ((ChainEditException) e).reason()).isEqualTo(ChainEditException.Reason.OVERLAP);
        assertThat(vcs.read(0x120, 4)).isZero(); // nothing changed
        vcs.editor().insert(0x12C, PASID);
        guestChain(vcs);
    }

    @Test
    void insertRefusesAHeaderCollision() {
        VirtualConfigSpace vcs = over(endpoint().extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x200, ExtendedCapability.ATS, 1).build());
        assertThatThrownBy(() -> vcs.editor().insert(0x1FC, PASID)).isInstanceOf(ChainEditException.class)
                .hasMessageContaining("overlap extended Address Translation Service (ATS)@0x200");
    }

    @Test
    void insertRefusesMisalignmentAndBounds() {
        VirtualConfigSpace vcs = over(endpoint().extended(0x100, ExtendedCapability.AER, 2).build());
        assertThat(vcs.editor().check(PASID.space(), 0x302, 8)).get().extracting(ChainEditException::reason)
                .isEqualTo(ChainEditException.Reason.UNALIGNED);
        assertThat(vcs.editor().check(PASID.space(), 0xFFC, 8)).get().extracting(ChainEditException::reason)
                .isEqualTo(ChainEditException.Reason.OUT_OF_BOUNDS);
        assertThat(vcs.editor().check(PASID.space(), 0xF0, 8)).get().extracting(ChainEditException::getMessage)
                .isEqualTo("8 bytes at 0xf0 do not fit in extended space (0x100-0xfff)");
        vcs.editor().insert(0xFF8, PASID);
        guestChain(vcs);
    }

    @Test
    void insertWorksWithBackwardNextPointers() {
        // physical chain 0x100 -> 0x400 -> 0x200 (backward); insert at 0x300, between them in address order
        VirtualConfigSpace vcs = over(endpoint().extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x400, ExtendedCapability.ACS, 1).extended(0x200, ExtendedCapability.LTR, 1).build());
        vcs.editor().insert(0x300, PASID);
        assertThat(guestChain(vcs).extended()).extracting(Capability::offset).containsExactly(0x100, 0x400, 0x200, 0x300);
    }

    @Test
    void insertIntoAnEmptyExtendedListWritesANullStubAt0x100() {
        VirtualConfigSpace vcs = over(endpoint().build());
        vcs.editor().insert(0xFF8, PASID);
        assertThat(vcs.read(0x100, 4)).isEqualTo(ExtendedCapability.header(0, 0, 0xFF8));
        assertThat(guestChain(vcs).extended()).extracting(Capability::id).containsExactly(0x00, 0x1B);
        assertThat(vcs.editor().check(PASID.space(), 0x100, 4)).isEmpty(); // 0x100 may still take the head
        assertThat(vcs.editor().check(PASID.space(), 0x102, 4)).isPresent();
    }

    @Test
    void insertAt0x100TakesTheHeadOfAnEmptyList() {
        VirtualConfigSpace vcs = over(endpoint().build());
        vcs.editor().insert(0x100, PASID);
        assertThat(guestChain(vcs).extended()).extracting(Capability::offset).containsExactly(0x100);
        assertThat(vcs.layout().extendedStub()).isFalse();
    }

    @Test
    void insertAt0x100ReplacesTheStubAndKeepsTheRest() {
        VirtualConfigSpace vcs = over(endpoint().build());
        vcs.editor().insert(0x800, Synthesizers.ats(0, true, false));
        vcs.editor().insert(0x100, PASID);
        assertThat(guestChain(vcs).extended()).extracting(Capability::offset).containsExactly(0x100, 0x800);
    }

    @Test
    void insertWhenACapabilitySitsAt0x100LinksAfterIt() {
        VirtualConfigSpace vcs = over(endpoint().extended(0x100, ExtendedCapability.LTR, 1).build());
        assertThat(vcs.editor().check(PASID.space(), 0x100, 8)).isPresent();
        vcs.editor().insert(0x108, PASID);
        assertThat(guestChain(vcs).extended()).extracting(Capability::offset).containsExactly(0x100, 0x108);
    }

    @Test
    void appendGoesAfterTheLastStructureIncludingHiddenOnes() {
        VirtualConfigSpace vcs = over(endpoint().extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x200, ExtendedCapability.SRIOV, 1).build());
        vcs.editor().hide(vcs.layout().find(ExtendedCapability.SRIOV).orElseThrow(), "test");
        VirtualCapability appended = vcs.editor().append(PASID);
        assertThat(appended.offset()).isEqualTo(0x240);
        guestChain(vcs);
    }

    @Test
    void aDeviceWithoutExtendedSpaceRefusesExtendedInserts() {
        ConfigSpace conventional = ConfigSpace.copyOf(endpoint().build().slice(0, 256));
        VirtualConfigSpace vcs = over(conventional);
        assertThatThrownBy(() -> vcs.editor().insert(0x100, PASID)).isInstanceOf(ChainEditException.class)
                .extracting(e -> ((ChainEditException) e).reason()).isEqualTo(ChainEditException.Reason.NO_EXTENDED_SPACE);
    }

    @Test
    void gpuDirectCliqueGoesTo0xC8Or0xD4WhenTaken() {
        VirtualConfigSpace free = over(endpoint().build());
        assertThat(free.editor().insertAtFirstFit(Synthesizers.GPUDIRECT_OFFSETS, Synthesizers.gpuDirectClique(5))
                .offset()).isEqualTo(0xC8);
        assertThat(free.read(0xC8, 4)).isEqualTo(0x5008_0009 & 0xFFFF00FF | 'P' << 24);
        assertThat(free.read(0xCC, 2)).isEqualTo('2' | 'P' << 8);
        assertThat(free.read(0xCE, 1)).isEqualTo(5 << 3);
        guestChain(free);

        VirtualConfigSpace taken = over(endpoint().standard(0xC8, StandardCapability.MSIX).build());
        assertThat(taken.editor().insertAtFirstFit(Synthesizers.GPUDIRECT_OFFSETS, Synthesizers.gpuDirectClique(1))
                .offset()).isEqualTo(0xD4);
        guestChain(taken);
    }

    @Test
    void defaultPolicyHidesSriovAndAriAndVirtualizesResizableBar() {
        VirtualConfigSpace vcs = over(endpoint().extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x140, ExtendedCapability.ARI, 1)
                .extended(0x160, ExtendedCapability.SRIOV, 1)
                .extended(0x1A0, ExtendedCapability.RESIZABLE_BAR, 1, (c, at) -> {
                    c.setU32(at + 4, 0x0000_FFF0); // 1 MiB .. 2 GiB supported
                    c.setU32(at + 8, 1 << 5 | 8 << 8); // one BAR, currently 256 MiB
                }).build());
        List<String> done = HidingPolicy.defaults().apply(vcs);
        assertThat(done).hasSize(3);
        assertThat(guestChain(vcs).extended()).extracting(Capability::id).containsExactly(0x01, 0x15);
        assertThat(vcs.read(0x1A4, 4)).isEqualTo(1 << 12);
        vcs.write(0x1A8, 4, 1 << 5 | 2 << 8); // a resize request is not honoured
        assertThat(vcs.read(0x1A8, 4) >>> 8 & 0x3F).isEqualTo(8);
        assertThat(vcs.layout().find(ExtendedCapability.RESIZABLE_BAR).orElseThrow().origin())
                .isEqualTo(Origin.VIRTUALIZED);
    }

    @Test
    void hidingSomethingNotVisibleIsRefused() {
        VirtualConfigSpace vcs = over(endpoint().extended(0x100, ExtendedCapability.AER, 2).build());
        VirtualCapability aer = vcs.layout().extended().get(0);
        vcs.editor().hide(aer, "test");
        assertThatThrownBy(() -> vcs.editor().hide(aer, "again")).isInstanceOf(ChainEditException.class)
                .extracting(e -> ((ChainEditException) e).reason()).isEqualTo(ChainEditException.Reason.NOT_VISIBLE);
    }
}
