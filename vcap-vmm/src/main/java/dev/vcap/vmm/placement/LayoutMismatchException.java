package dev.vcap.vmm.placement;

/** A device that does not have the capabilities its matching layout file describes. */
public final class LayoutMismatchException extends RuntimeException {

    public LayoutMismatchException(String message) {
        super(message);
    }
}
