package dev.keel.raft.log;

/**
 * What a {@link LogEntry} carries. The numeric codes are part of the durable and wire formats: never reuse one.
 */
public enum EntryType {
    /** A command for the {@link dev.keel.raft.statemachine.StateMachine}. */
    COMMAND(1),
    /** Appended by a new leader to commit the entries of earlier terms (Raft §5.4.2, §8); not applied. */
    NO_OP(2);

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
        for (EntryType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown log entry type code " + code);
    }
}
