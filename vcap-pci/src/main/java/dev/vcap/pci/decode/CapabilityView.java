package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.config.ConfigSpace;

/**
 * A decoded capability structure bound to config-space bytes: one record per structure, each with
 * the structure's register offsets and bit masks as named constants, accessors named after the
 * fields, and {@link #fields()} listing every named field. Obtain views from
 * {@link Decoders#view}; construct them directly to read a structure at a known offset.
 *
 * <p>Switch over the permitted records to handle every decoded kind:
 * <pre>{@code
 * switch (view) {
 *     case PasidView p -> ...;
 *     case AtsView a -> ...;
 *     ...
 * }
 * }</pre>
 */
public sealed interface CapabilityView extends RegisterView permits PmView, MsiView, MsixView, PcieView,
        VendorSpecificView, AerView, AcsView, AriView, AtsView, SriovView, PriView, PasidView, LtrView,
        L1SubstatesView, DpcView, PtmView, ResizableBarView, DsnView, VsecView, DvsecView, TphView,
        DataLinkFeatureView, SecondaryPcieView, PhysicalLayer16View, PhysicalLayer32View {

    /** The catalogue entry this view decodes. */
    CapabilityKind kind();

    @Override
    default String name() {
        return kind().displayName();
    }

    @Override
    default int spaceEnd() {
        return kind().space() == CapabilitySpace.STANDARD ? ConfigSpace.CONVENTIONAL_SIZE : ConfigSpace.EXTENDED_SIZE;
    }
}
