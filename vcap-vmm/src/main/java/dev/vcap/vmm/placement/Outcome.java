package dev.vcap.vmm.placement;

/** What one placement policy concluded for one capability. */
public sealed interface Outcome {

    String reason();

    /** Placed at {@code offset}. */
    record Placed(int offset, String reason) implements Outcome {
    }

    /** This policy has no answer; the next one is asked. */
    record Declined(String reason) implements Outcome {
    }

    /** The request is wrong (an explicit offset that collides, a layout entry that does not fit): a hard error. */
    record Refused(String reason) implements Outcome {
    }

    /** The capability is deliberately not exposed (a layout leaves it out); no further policy is asked. */
    record Withheld(String reason) implements Outcome {
    }
}
