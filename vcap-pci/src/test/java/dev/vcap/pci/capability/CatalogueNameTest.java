package dev.vcap.pci.capability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.testing.CorpusLspci;
import dev.vcap.pci.testing.Lspci;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The catalogue's display names are the names pciutils prints: for every capability line of
 * {@code lspci -F FILE -vvv} on the corpus, the text starts with the catalogue's
 * {@link CapabilityKind#displayName()} (or the form {@link CapabilityKind#nameOf} gives IDs the
 * catalogue does not know), except for the documented aliases below, where lspci 3.9 names an ID
 * differently.
 */
class CatalogueNameTest {

    /** Where pciutils 3.9 prints another name than the catalogue's, and why. */
    static final Map<CapabilityKind, String> LSPCI_ALIASES = Map.of(
            // lspci 3.9 prints "Physical Resizable BAR" for 0x15 (to tell it from VF Resizable BAR, 0x24)
            ExtendedCapability.RESIZABLE_BAR, "Physical Resizable BAR");

    /** Extended IDs lspci 3.9 does not know: it prints "Extended Capability ID 0x.." for them. */
    static final Set<ExtendedCapability> UNKNOWN_TO_LSPCI_3_9 = Set.of(ExtendedCapability.PHYSICAL_LAYER_32,
            ExtendedCapability.ALTERNATE_PROTOCOL, ExtendedCapability.SFI, ExtendedCapability.SHADOW_FUNCTIONS,
            ExtendedCapability.DEVICE_3, ExtendedCapability.IDE, ExtendedCapability.PHYSICAL_LAYER_64,
            ExtendedCapability.FLIT_LOGGING, ExtendedCapability.FLIT_PERFORMANCE, ExtendedCapability.FLIT_ERROR_INJECTION);

    static String expectedPrefix(CapabilitySpace space, int id) {
        var kind = CapabilityKind.lookup(space, id);
        if (kind.isPresent() && LSPCI_ALIASES.containsKey(kind.get())) {
            return LSPCI_ALIASES.get(kind.get());
        }
        if (kind.isPresent() && kind.get() instanceof ExtendedCapability e && UNKNOWN_TO_LSPCI_3_9.contains(e)) {
            return String.format("Extended Capability ID %#x", id);
        }
        return CapabilityKind.nameOf(space, id);
    }

    @Test
    void displayNamesAreWhatLspciPrints() throws Exception {
        CorpusLspci run = CorpusLspci.get();
        List<String> mismatches = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        int lines = 0;
        for (int d = 0; d < run.devices().size(); d++) {
            DeviceImage device = run.devices().get(d);
            CapabilityChain chain = CapabilityChain.walk(device.config());
            for (Lspci.Line line : run.lines().get(d)) {
                if (line.text().isEmpty()) {
                    continue; // pciutils printed no name: the body was not captured
                }
                CapabilitySpace space = line.extended() ? CapabilitySpace.EXTENDED : CapabilitySpace.STANDARD;
                var capability = chain.list(space).stream().filter(c -> c.offset() == line.offset()).findFirst();
                if (capability.isEmpty()) {
                    continue; // the chain walk golden test reports list differences
                }
                String prefix = expectedPrefix(space, capability.get().id());
                lines++;
                seen.add(space.label() + " " + Integer.toHexString(capability.get().id()));
                if (!line.text().startsWith(prefix)) {
                    mismatches.add(device.origin() + " [" + Integer.toHexString(line.offset()) + "]: lspci '"
                            + line.text() + "', catalogue '" + prefix + "'");
                }
            }
        }
        assertThat(mismatches).as("capability names that differ from lspci's (%d lines, IDs %s)", lines, seen).isEmpty();
        assertThat(lines).isGreaterThan(1000);
    }

    @Test
    void aliasesAreOnlyForKindsWhoseNameDiffers() {
        LSPCI_ALIASES.forEach((kind, alias) -> assertThat(alias).as("%s", kind).isNotEqualTo(kind.displayName()));
        UNKNOWN_TO_LSPCI_3_9.forEach(kind -> assertThat(expectedPrefix(CapabilitySpace.EXTENDED, kind.id()))
                .isEqualTo(String.format("Extended Capability ID %#x", kind.id())));
    }
}
