package dev.vcap.cli.args;

import java.util.function.BiConsumer;

/**
 * One positional parameter of a command: the arguments that are not options, taken in order.
 *
 * @param label what help calls it ({@code FILE})
 * @param min how many it needs (0 or 1)
 * @param max how many it takes at most (1, or {@link Integer#MAX_VALUE} for any number)
 * @param description one sentence
 * @param set applies one argument; an {@link IllegalArgumentException} is a usage error naming it
 */
public record ParamDef<T>(String label, int min, int max, String description, BiConsumer<T, String> set) {

    /** {@code FILE}, {@code [FILE]}, {@code FILE...} or {@code [FILE...]}. */
    public String shown() {
        String one = max > 1 ? label + "..." : label;
        return min == 0 ? "[" + one + "]" : one;
    }
}
