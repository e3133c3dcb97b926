package dev.vcap.cli.args;

import java.util.List;
import java.util.function.BiConsumer;

/**
 * One option of a command, bound to the field of {@code T} it sets.
 *
 * @param names the option's names, short ones first ({@code -h}, {@code --help})
 * @param label what the value is called in help ({@code FILE}); null for a flag
 * @param description one sentence, wrapped by the help
 * @param kind how many values it takes and how often
 * @param required whether a run without it is a usage error
 * @param hidden left out of help, man pages and completion (test hooks)
 * @param set applies one occurrence's value; a flag gets "true", its {@code --no-} form "false". An
 *     {@link IllegalArgumentException} it throws is a usage error naming the option
 */
public record OptionDef<T>(List<String> names, String label, String description, Kind kind, boolean required,
        boolean hidden, BiConsumer<T, String> set) {

    /** How an option takes values. */
    public enum Kind {
        /** {@code --json}: no value. */
        FLAG,
        /** {@code --exec} and {@code --no-exec}. */
        NEGATABLE,
        /** {@code --address BDF} or {@code --address=BDF}, at most once. */
        VALUE,
        /** {@code --quirks FILE}, as often as wanted. */
        REPEATABLE,
        /** {@code --sysfs} alone, or with a value: {@code --sysfs=BDF} or {@code --sysfs BDF} (not an option). */
        OPTIONAL_VALUE
    }

    public OptionDef {
        names = List.copyOf(names);
    }

    /** The last (longest) name: {@code --help}. */
    public String longName() {
        return names.getLast();
    }

    /** Whether it takes a value. */
    public boolean takesValue() {
        return kind != Kind.FLAG && kind != Kind.NEGATABLE;
    }

    /** {@code --address=BDF}, {@code --sysfs[=BDF]}, {@code --[no-]exec} or {@code --json}: how help shows it. */
    public String shown(String name) {
        return switch (kind) {
            case FLAG -> name;
            case NEGATABLE -> name.startsWith("--") ? "--[no-]" + name.substring(2) : name;
            case VALUE, REPEATABLE -> name + "=" + label;
            case OPTIONAL_VALUE -> name + "[=" + label + "]";
        };
    }

    /** This option set on a part of {@code C}: a mixin's options on the command that holds it. */
    <C> OptionDef<C> on(java.util.function.Function<C, T> part) {
        return new OptionDef<>(names, label, description, kind, required, hidden,
                (c, v) -> set.accept(part.apply(c), v));
    }
}
