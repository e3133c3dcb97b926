package dev.vcap.cli.args;

import java.util.List;

/**
 * A command line that cannot run: an unknown option, a missing or invalid value, options that
 * conflict. The message says what is wrong; {@code suggestions} are names close to a misspelt one.
 * Exit code 2.
 */
public final class UsageException extends RuntimeException {

    private final List<String> suggestions;

    public UsageException(String message) {
        this(message, List.of());
    }

    public UsageException(String message, List<String> suggestions) {
        super(message);
        this.suggestions = List.copyOf(suggestions);
    }

    /** Names close to a misspelt option or command, best first; empty when none is close. */
    public List<String> suggestions() {
        return suggestions;
    }
}
