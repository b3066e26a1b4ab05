package dev.keel.raft;

import dev.keel.raft.statemachine.Protocol;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Submits typed commands and runs typed queries against a {@link dev.keel.raft.statemachine.TypedStateMachine},
 * through a server (plain submits: at most once, see {@link RaftServer#submit}) or through a {@link ClientSession}
 * (exactly once, retried by the session). Encoding and decoding use the {@link Protocol}; failures are the server's or
 * the session's, unchanged, plus the codec's {@link IllegalArgumentException} for a result it cannot decode.
 *
 * <p>Thread-safe; futures complete on the server's applier thread, as the server's own do.
 *
 * @param <C> the command type
 * @param <Q> the query type
 * @param <R> the result type
 */
public final class TypedClient<C, Q, R> {
    private final RaftServer server;
    private final ClientSession session;
    private final Protocol<C, Q, R> protocol;

    private TypedClient(RaftServer server, ClientSession session, Protocol<C, Q, R> protocol) {
        this.server = Objects.requireNonNull(server, "server");
        this.session = session;
        this.protocol = Objects.requireNonNull(protocol, "protocol");
    }

    /** A client whose commands go through {@code server}'s plain {@link RaftServer#submit}. */
    public static <C, Q, R> TypedClient<C, Q, R> of(RaftServer server, Protocol<C, Q, R> protocol) {
        return new TypedClient<>(server, null, protocol);
    }

    /** A client whose commands go through {@code session} (exactly once) and whose reads run on {@code server}. */
    public static <C, Q, R> TypedClient<C, Q, R> of(RaftServer server, ClientSession session,
                                                   Protocol<C, Q, R> protocol) {
        return new TypedClient<>(server, Objects.requireNonNull(session, "session"), protocol);
    }

    /** Submits a command; completes with its result. */
    public CompletableFuture<R> submit(C command) {
        return decode(submitCommitted(command), Committed::result);
    }

    /** Submits a command; completes with its result and the log index it was applied at. */
    public CompletableFuture<Committed<R>> submitCommitted(C command) {
        byte[] encoded = protocol.commands().encode(command);
        CompletableFuture<Committed<byte[]>> raw = session == null ? server.submitCommitted(encoded)
                : session.submitCommitted(encoded, server.config().sessionDeadline());
        return decode(raw, c -> new Committed<>(c.index(), protocol.results().decode(c.result())));
    }

    /** Submits a command through the session with this deadline; see {@link ClientSession#submit(byte[], Duration)}. */
    public CompletableFuture<Committed<R>> submitCommitted(C command, Duration deadline) {
        if (session == null) {
            throw new IllegalStateException("deadlines are for sessions: build this client with a ClientSession");
        }
        return decode(session.submitCommitted(protocol.commands().encode(command), deadline),
                c -> new Committed<>(c.index(), protocol.results().decode(c.result())));
    }

    /** Runs a linearizable query; see {@link RaftServer#read}. */
    public CompletableFuture<R> read(Q query) {
        return decode(server.read(protocol.queries().encode(query)), protocol.results()::decode);
    }

    /**
     * Maps a raw future without wrapping its failure in a {@code CompletionException}, so that callers see the
     * server's exceptions as they are.
     */
    private static <A, B> CompletableFuture<B> decode(CompletableFuture<A> raw,
                                                      java.util.function.Function<A, B> decoder) {
        CompletableFuture<B> out = new CompletableFuture<>();
        raw.whenComplete((value, failure) -> {
            if (failure != null) {
                out.completeExceptionally(failure);
                return;
            }
            try {
                out.complete(decoder.apply(value));
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
            }
        });
        return out;
    }
}
