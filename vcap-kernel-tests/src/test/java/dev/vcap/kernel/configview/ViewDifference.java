package dev.vcap.kernel.configview;

import java.util.Locale;

/**
 * One place where vcap's model of vfio-pci and the real vfio-pci disagree on the same device after
 * the same operation.
 *
 * @param kind   what disagrees
 * @param step   the operation, as the script names it
 * @param offset the config-space byte (views: the dword) where it shows
 * @param kernel what the kernel shows: the vfio view's dword, or the device's byte
 * @param model  what the model shows: its view's dword, or the byte it wrote to the device
 * @param mask   the bits that differ
 */
record ViewDifference(Kind kind, String step, int offset, int kernel, int model, int mask) {

    enum Kind {
        /** The config region reads differently through vfio and through the model. */
        VIEW("views differ"),
        /** The kernel's write changed the device where the model wrote nothing. */
        KERNEL_FORWARDED("the kernel changed the device, the model did not write it"),
        /** The model wrote the device where the kernel did not (the device takes the bits: replayed through sysfs). */
        MODEL_FORWARDED("the model wrote the device, the kernel did not");

        final String text;

        Kind(String text) {
            this.text = text;
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s at 0x%03x after %s: kernel 0x%08x, model 0x%08x (bits 0x%08x)",
                kind.text, offset, step, kernel, model, mask);
    }
}
