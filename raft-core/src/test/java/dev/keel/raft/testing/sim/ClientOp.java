package dev.keel.raft.testing.sim;

/**
 * One client operation as the client saw it: what it asked, when, and what came back.
 *
 * @param client    the client's number
 * @param kind      WRITE, CAS or READ
 * @param key       the register
 * @param value     the value written (WRITE, CAS) or read (READ, when ok)
 * @param expected  for CAS, the expected value
 * @param node      the server asked
 * @param invokedAt virtual nanos when the client called the server
 * @param doneAt    virtual nanos when the outcome was known (or the client gave up)
 * @param outcome   OK, FAIL (certainly not applied) or UNKNOWN (may or may not have been applied)
 * @param detail    the log index for a write, the exception for a failure
 */
public record ClientOp(int client, Kind kind, int key, long value, long expected, String node, long invokedAt,
                       long doneAt, Outcome outcome, String detail) {

    /** Operation kinds. */
    public enum Kind {
        WRITE, CAS, READ
    }

    /** Outcomes. */
    public enum Outcome {
        OK, FAIL, UNKNOWN
    }

    @Override
    public String toString() {
        return "client " + client + " " + kind + " r" + key + (kind == Kind.CAS ? " " + expected + "->" : " ") + value
                + " on " + node + " -> " + outcome + (detail.isEmpty() ? "" : " (" + detail + ")") + " ["
                + Trace.formatTime(invokedAt).trim() + " .. " + Trace.formatTime(doneAt).trim() + "]";
    }
}
