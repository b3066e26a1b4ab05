package dev.keel.raft.testing.sim;

/**
 * One client operation as the client saw it: what it asked, when, and what came back.
 *
 * @param client    the client's number
 * @param kind      WRITE, CAS or READ
 * @param key       the register
 * @param value     the value written (WRITE, CAS) or read (READ, when ok)
 * @param expected  for CAS, the expected value
 * @param casSucceeded for an OK CAS, whether it swapped
 * @param node      the server asked
 * @param invokedAt virtual nanos when the client called the server
 * @param doneAt    virtual nanos when the outcome was known (or the client gave up); -1 if it never completed
 * @param outcome   OK, FAIL (certainly not applied) or UNKNOWN (may or may not have been applied)
 * @param detail    the log index for a write, the exception for a failure
 */
public record ClientOp(int client, Kind kind, int key, long value, long expected, boolean casSucceeded, String node,
                       long invokedAt, long doneAt, Outcome outcome, String detail) {

    /** Operation kinds. */
    public enum Kind {
        WRITE, CAS, READ
    }

    /** Outcomes. */
    public enum Outcome {
        OK, FAIL, UNKNOWN
    }

    /** The same operation in the linearizability checker's model (times in virtual nanoseconds). */
    public dev.keel.raft.testing.linearizability.Operation toOperation() {
        dev.keel.raft.testing.linearizability.Operation.Kind k = switch (kind) {
            case WRITE -> dev.keel.raft.testing.linearizability.Operation.Kind.WRITE;
            case CAS -> dev.keel.raft.testing.linearizability.Operation.Kind.CAS;
            case READ -> dev.keel.raft.testing.linearizability.Operation.Kind.READ;
        };
        dev.keel.raft.testing.linearizability.Operation.Outcome o = switch (outcome) {
            case OK -> dev.keel.raft.testing.linearizability.Operation.Outcome.OK;
            case FAIL -> dev.keel.raft.testing.linearizability.Operation.Outcome.FAIL;
            case UNKNOWN -> dev.keel.raft.testing.linearizability.Operation.Outcome.UNKNOWN;
        };
        boolean known = outcome == Outcome.OK;
        return new dev.keel.raft.testing.linearizability.Operation(client, "r" + key, k,
                kind == Kind.READ && !known ? 0 : value, kind == Kind.CAS ? expected : 0,
                known && kind == Kind.CAS && casSucceeded,
                invokedAt, doneAt < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(doneAt), o);
    }

    @Override
    public String toString() {
        return "client " + client + " " + kind + " r" + key + (kind == Kind.CAS ? " " + expected + "->" : " ") + value
                + " on " + node + " -> " + outcome + (detail.isEmpty() ? "" : " (" + detail + ")") + " ["
                + Trace.formatTime(invokedAt).trim() + " .. "
                + (doneAt < 0 ? "never" : Trace.formatTime(doneAt).trim()) + "]";
    }
}
