package dev.vcap.kernel.configview;

import java.util.function.Predicate;

/**
 * A difference between vcap's model and the real vfio-pci that is understood and accepted: where it
 * shows, the kernel function that causes it, and why the model does not (or cannot) follow. Each is
 * listed in docs/LINUX.md, "Model versus kernel".
 *
 * @param name           short name, for the report
 * @param kernelFunction the upstream function whose behaviour this is
 * @param why            the explanation
 * @param matches        which differences it covers
 */
record KnownDifference(String name, String kernelFunction, String why, Predicate<ViewDifference> matches) {

    @Override
    public String toString() {
        return name + " (" + kernelFunction + ")";
    }
}
