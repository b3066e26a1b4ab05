package dev.keel.raft;

/**
 * Told about role and leader changes of one server.
 *
 * <p>Called on the server's event loop: return quickly and never block (hand work to your own executor).
 * An exception thrown here is logged and otherwise ignored. Changes that happen within one batch of the event loop
 * (a single server becoming pre-candidate, candidate and leader at once, say) are reported once, with the state they
 * led to.
 */
@FunctionalInterface
public interface RaftListener {

    /**
     * The role, term or known leader changed.
     *
     * @param status the server's state just after the change
     */
    void onStateChange(ServerStatus status);
}
