package dev.vcap.vmm.placement;

import dev.vcap.pci.capability.Finding;

/**
 * Something a placement does to the guest's config space that its user must know: QEMU 11.0's
 * vPASID over a capability's registers (an error: the guest reads PASID registers where the
 * capability's are), over bytes that read non-zero (a warning), or an offset QEMU refuses (an
 * error: the VM starts without PASID). vcap's own policies never produce one; they refuse instead.
 *
 * @param severity {@code WARNING} or {@code ERROR}; an error makes the plan unusable (exit code 4)
 * @param message  one line for people
 */
public record PlacementFinding(Finding.Severity severity, String message) {

    public static PlacementFinding error(String message) {
        return new PlacementFinding(Finding.Severity.ERROR, message);
    }

    public static PlacementFinding warning(String message) {
        return new PlacementFinding(Finding.Severity.WARNING, message);
    }

    public boolean isError() {
        return severity == Finding.Severity.ERROR;
    }

    @Override
    public String toString() {
        return severity.label() + ": " + message;
    }
}
