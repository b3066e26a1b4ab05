package dev.keel.raft.log;

/**
 * What a {@link LogEntry} carries. The numeric codes are part of the durable and wire formats: never reuse one.
 */
public enum EntryType {
    /**
     * A command for the {@link dev.keel.raft.statemachine.StateMachine}, as written before log time existed: the data
     * is the command itself. Still read and applied (at the log time of the entry before it); no longer written.
     */
    COMMAND(1),
    /** Appended by a new leader to commit the entries of earlier terms (Raft §5.4.2, §8); not applied. */
    NO_OP(2),
    /**
     * A new cluster configuration ({@link dev.keel.raft.Membership#encode()}), in effect from the moment it is
     * appended (thesis §4.1); not applied to the state machine.
     */
    CONFIGURATION(3),
    /**
     * A client request as the leader appended it: a format version, the request's kind, the leader's log time
     * ({@link dev.keel.raft.statemachine.ApplyContext}), then the kind's fields (a command, or a session operation
     * with its command). Keel interprets it before the state machine sees the command. The layout is described in
     * {@code dev.keel.raft.internal.runtime.RequestEntry}; it is part of the durable and wire formats.
     */
    REQUEST(4);

    private static final EntryType[] BY_CODE = {null, COMMAND, NO_OP, CONFIGURATION, REQUEST};

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
