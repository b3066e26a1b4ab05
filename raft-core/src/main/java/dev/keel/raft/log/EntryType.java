package dev.keel.raft.log;

/**
 * What a {@link LogEntry} carries. The numeric codes are part of the durable and wire formats: never reuse one.
 */
public enum EntryType {
    /** A command for the {@link dev.keel.raft.statemachine.StateMachine}. */
    COMMAND(1),
    /** Appended by a new leader to commit the entries of earlier terms (Raft §5.4.2, §8); not applied. */
    NO_OP(2),
    /**
     * A new cluster configuration ({@link dev.keel.raft.Membership#encode()}), in effect from the moment it is
     * appended (thesis §4.1); not applied to the state machine.
     */
    CONFIGURATION(3);

    private static final EntryType[] BY_CODE = {null, COMMAND, NO_OP, CONFIGURATION};

    private final int code;

    EntryType(int code) {
        this.code = code;
    }

    /** The stable numeric code used by storage and wire formats. */
    public int code() {
        return code;
    }

    /**
     * @throws IllegalArgumentException for a code no entry type has
     */
    public static EntryType fromCode(int code) {
        // A table, not values(): this runs once per entry read from disk or the wire.
        if (code > 0 && code < BY_CODE.length) {
            return BY_CODE[code];
        }
        throw new IllegalArgumentException("unknown log entry type code " + code);
    }
}
