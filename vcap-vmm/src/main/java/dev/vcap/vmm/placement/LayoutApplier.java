package dev.vcap.vmm.placement;

import dev.vcap.vmm.config.VirtualCapability;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.config.VirtualLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Applies a layout file's passthrough and hide dispositions to a device it matches. A layout is a
 * full description of the model: the device must have every passthrough and hide entry at its
 * offset, and nothing the layout does not mention; otherwise the layout is refused with the first
 * difference.
 */
final class LayoutApplier {

    private LayoutApplier() {
    }

    static List<String> apply(LayoutFile layout, VirtualConfigSpace vcs) {
        List<String> actions = new ArrayList<>();
        VirtualLayout current = vcs.layout();
        for (LayoutFile.Entry e : layout.entries()) {
            if (e.disposition() == LayoutFile.Disposition.SYNTHESIZE) {
                continue;
            }
            Optional<VirtualCapability> found = current.list(e.space()).stream()
                    .filter(c -> c.offset() == e.offset()).findFirst();
            if (found.isEmpty() || found.get().id() != e.id()) {
                throw new LayoutMismatchException(String.format("%s:%d: layout '%s' has %s at 0x%03x, but the device has %s",
                        layout.origin(), e.line(), layout.name(), e.name(), e.offset(),
                        found.map(VirtualCapability::toString).orElse("nothing there")));
            }
            if (e.disposition() == LayoutFile.Disposition.HIDE) {
                vcs.editor().hide(found.get(), "hidden by layout '" + layout.name() + "'");
                actions.add("hid " + found.get() + " (layout '" + layout.name() + "')");
            }
        }
        for (VirtualCapability c : current.all().toList()) {
            boolean described = layout.entries().stream().anyMatch(e -> e.space() == c.space() && e.offset() == c.offset());
            boolean replacedBySynthesis = layout.entries().stream().anyMatch(e -> e.disposition()
                    == LayoutFile.Disposition.SYNTHESIZE && e.space() == c.space() && e.id() == c.id());
            if (!described && !replacedBySynthesis) {
                throw new LayoutMismatchException(String.format("%s: layout '%s' does not describe the device's %s; a"
                        + " layout lists every capability the device shows", layout.origin(), layout.name(), c));
            }
        }
        return actions;
    }
}
