package dev.vcap.cli.args;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Options and positional parameters bound to the fields of {@code T}, declared in code: a table,
 * read in the order written, that the parser, the help, the man pages and the completion script
 * all use. Built once in a static initializer and not changed after; no reflection, so a run
 * starts without building a model from annotations.
 *
 * <p>A command's table is a {@link CommandDef}; a {@link Group} is a group of options
 * several commands share, added to each with {@link CommandDef#with(OptionSet.Group, Function)}.
 */
public abstract sealed class OptionSet<T, S extends OptionSet<T, S>> permits CommandDef, OptionSet.Group {

    /** Options several commands share: {@code Group<LiveRoots>}. */
    public static final class Group<T> extends OptionSet<T, Group<T>> {
    }

    /** An empty group of options on {@code T}. */
    public static <T> Group<T> group() {
        return new Group<>();
    }


    private final List<OptionDef<T>> options = new ArrayList<>();
    private final List<ParamDef<T>> params = new ArrayList<>();

    /** The options, in declaration order. */
    public final List<OptionDef<T>> options() {
        return Collections.unmodifiableList(options);
    }

    /** The positional parameters, in order. */
    public final List<ParamDef<T>> params() {
        return Collections.unmodifiableList(params);
    }

    /** {@code --json}: set when given. */
    public S flag(String name, String description, Consumer<T> set) {
        return add(new OptionDef<>(List.of(name), null, description, OptionDef.Kind.FLAG, false, false,
                (t, v) -> set.accept(t)));
    }

    /** {@code --exec} sets true, {@code --no-exec} false. */
    public S negatable(String name, String description, BiConsumer<T, Boolean> set) {
        return add(new OptionDef<>(List.of(name), null, description, OptionDef.Kind.NEGATABLE, false, false,
                (t, v) -> set.accept(t, Boolean.valueOf(v))));
    }

    /** {@code --address BDF}, at most once. */
    public S option(String name, String label, String description, BiConsumer<T, String> set) {
        return add(new OptionDef<>(List.of(name), label, description, OptionDef.Kind.VALUE, false, false, set));
    }

    /** {@code --html OUT}, exactly once. */
    public S required(String name, String label, String description, BiConsumer<T, String> set) {
        return add(new OptionDef<>(List.of(name), label, description, OptionDef.Kind.VALUE, true, false, set));
    }

    /** {@code --quirks FILE}, any number of times. */
    public S repeatable(String name, String label, String description, BiConsumer<T, String> set) {
        return add(new OptionDef<>(List.of(name), label, description, OptionDef.Kind.REPEATABLE, false, false, set));
    }

    /** {@code --sysfs} alone (the value is "") or {@code --sysfs BDF}. */
    public S optionalValue(String name, String label, String description, BiConsumer<T, String> set) {
        return add(new OptionDef<>(List.of(name), label, description, OptionDef.Kind.OPTIONAL_VALUE, false, false,
                set));
    }

    /** A value option help does not show: a test hook such as {@code --sys-root}. */
    public S hidden(String name, String label, BiConsumer<T, String> set) {
        return add(new OptionDef<>(List.of(name), label, "", OptionDef.Kind.VALUE, false, true, set));
    }

    /** The next positional parameter: {@code min} 0 or 1, {@code max} 1 or {@link Integer#MAX_VALUE}. */
    public S param(String label, int min, int max, String description, BiConsumer<T, String> set) {
        if (!params.isEmpty() && params.getLast().max() > 1) {
            throw new IllegalStateException(label + " follows " + params.getLast().label() + ", which takes the rest");
        }
        params.add(new ParamDef<>(label, min, max, description, set));
        return self();
    }

    S add(OptionDef<T> o) {
        for (OptionDef<T> old : options) {
            if (!Collections.disjoint(old.names(), o.names())) {
                throw new IllegalStateException("two options named " + o.longName());
            }
        }
        options.add(o);
        return self();
    }

    @SuppressWarnings("unchecked")
    private S self() {
        return (S) this;
    }

    /** Adds {@code mixin}'s options and parameters, each set on the part of {@code T} {@code part} gives. */
    <M> void addAll(OptionSet<M, ?> mixin, Function<T, M> part) {
        mixin.options.forEach(o -> add(o.on(part)));
        for (ParamDef<M> p : mixin.params) {
            param(p.label(), p.min(), p.max(), p.description(), (t, v) -> p.set().accept(part.apply(t), v));
        }
    }
}
