package dev.keel.raft.examples.kv;

import java.util.List;

/**
 * Checks an encoded write that came from outside this node ({@code KEEL.SUBMIT} from a member) before it goes into
 * the log: it must decode, be a write the node itself could have encoded, with the arguments its operation needs, and
 * so must every command of a batch or transaction. Nothing malformed reaches the log this way.
 */
final class WriteCheck {
    private WriteCheck() {
    }

    /** Why the bytes cannot go into the log, or {@code null} if they can. */
    static String problem(byte[] encoded) {
        KvCommand c;
        try {
            c = KvCommand.decode(encoded);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (!c.op().isWrite()) {
            return c.op() + " is not a write";
        }
        if (!Arity.accepts(c)) {
            return "wrong arguments for " + c.op();
        }
        if (c.op() == Op.WRITE_BATCH) {
            for (byte[] item : c.args()) {
                String p = itemProblem(item, false);
                if (p != null) {
                    return p;
                }
            }
        } else if (c.op() == Op.EXEC) {
            try {
                Transaction.decodeWatches(c.arg(0));
            } catch (IllegalArgumentException e) {
                return "EXEC: " + e.getMessage();
            }
            for (byte[] item : c.args().subList(1, c.args().size())) {
                String p = itemProblem(item, true);
                if (p != null) {
                    return "EXEC: " + p;
                }
            }
        }
        return null;
    }

    private static String itemProblem(byte[] item, boolean readsToo) {
        KvCommand c;
        try {
            c = KvCommand.decode(item);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (List.of(Op.WRITE_BATCH, Op.READ_BATCH, Op.DIGEST).contains(c.op()) || (!readsToo && !c.op().isWrite())
                || (readsToo && (c.op() == Op.EXEC || c.op() == Op.PEER))) {
            return c.op() + " cannot be part of this";
        }
        if (c.op() == Op.EXEC) {
            return problem(item);
        }
        return Arity.accepts(c) ? null : "wrong arguments for " + c.op();
    }
}
