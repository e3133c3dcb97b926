package dev.vcap.cli;

/** A bad argument or input file found by a command; exit code 3. The message says what and where. */
public final class BadInputException extends RuntimeException {

    public BadInputException(String message) {
        super(message);
    }
}
