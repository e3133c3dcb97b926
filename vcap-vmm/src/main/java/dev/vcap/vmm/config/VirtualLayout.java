package dev.vcap.vmm.config;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.CapabilitySpace;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A snapshot of what the guest sees: both chains in chain order, what is hidden, and whether a
 * null stub heads the extended list (when no capability sits at 0x100).
 */
public record VirtualLayout(List<VirtualCapability> standard, List<VirtualCapability> extended,
        List<HiddenCapability> hidden, boolean extendedStub) {

    public Stream<VirtualCapability> all() {
        return Stream.concat(standard.stream(), extended.stream());
    }

    public List<VirtualCapability> list(CapabilitySpace space) {
        return space == CapabilitySpace.STANDARD ? standard : extended;
    }

    public Optional<VirtualCapability> find(CapabilityKind kind) {
        return list(kind.space()).stream().filter(c -> c.is(kind)).findFirst();
    }
}
