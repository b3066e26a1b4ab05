package dev.keel.raft.examples.kv.forward;

/** What became of a write forwarded to the leader. */
public sealed interface ForwardResult {

    /** The leader answered: {@code reply} is the RESP reply for the client (a result or an error). */
    record Reply(byte[] reply) implements ForwardResult {
    }

    /** The node was not (or no longer) the leader; nothing was applied. */
    record NotLeader() implements ForwardResult {
    }

    /** The request never left this node (no connection could be made); nothing was applied. */
    record NotSent(String why) implements ForwardResult {
    }

    /** The request was sent but no reply came (connection lost, timeout): it may or may not have been applied. */
    record Lost(String why) implements ForwardResult {
    }
}
