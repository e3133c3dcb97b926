package dev.vcap.linux;

/**
 * One kernel feature as vcap found it by trying it, with what the kernel answered.
 *
 * @param key    a stable name for machines ({@code iommufd}, {@code vfio_cdev}, ...)
 * @param status present, absent, or not known (could not be tried here)
 * @param detail what was tried and what the kernel answered, or what a host lacks, in one sentence
 */
public record Feature(String key, Status status, String detail) {

    public enum Status {
        YES, NO, UNKNOWN;

        /** {@code yes}, {@code no}, {@code unknown}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static Feature yes(String key, String detail) {
        return new Feature(key, Status.YES, detail);
    }

    public static Feature no(String key, String detail) {
        return new Feature(key, Status.NO, detail);
    }

    public static Feature unknown(String key, String detail) {
        return new Feature(key, Status.UNKNOWN, detail);
    }

    public boolean present() {
        return status == Status.YES;
    }
}
