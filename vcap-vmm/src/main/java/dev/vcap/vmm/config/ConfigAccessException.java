package dev.vcap.vmm.config;

/** A guest config access that cannot be served: a bad width, or outside config space. */
public final class ConfigAccessException extends IllegalArgumentException {

    public ConfigAccessException(String message) {
        super(message);
    }
}
