package dev.keel.raft.statemachine;

import java.util.Objects;

/**
 * The codecs of an application's commands, queries and results: what a {@link TypedStateMachine} and its clients
 * ({@code dev.keel.raft.TypedClient}) agree on, so that neither side touches bytes.
 *
 * <pre>{@code
 * Protocol<Long, String, Long> counter = Protocol.of(Codec.int64(), Codec.utf8(), Codec.int64());
 * RaftServer server = RaftServer.builder()...stateMachine(counter.stateMachine(new Counter())).build();
 * TypedClient<Long, String, Long> client = TypedClient.of(server, counter);
 * }</pre>
 *
 * @param commands codec of the commands
 * @param queries  codec of the queries
 * @param results  codec of the results, of commands and of queries alike
 * @param <C>      the command type
 * @param <Q>      the query type
 * @param <R>      the result type
 */
public record Protocol<C, Q, R>(Codec<C> commands, Codec<Q> queries, Codec<R> results) {
    public Protocol {
        Objects.requireNonNull(commands, "commands");
        Objects.requireNonNull(queries, "queries");
        Objects.requireNonNull(results, "results");
    }

    /** A protocol from its three codecs. */
    public static <C, Q, R> Protocol<C, Q, R> of(Codec<C> commands, Codec<Q> queries, Codec<R> results) {
        return new Protocol<>(commands, queries, results);
    }

    /** The {@link StateMachine} that runs {@code typed}, decoding its inputs and encoding its outputs. */
    public StateMachine stateMachine(TypedStateMachine<C, Q, R> typed) {
        return new TypedStateMachine.Adapter<>(typed, this);
    }
}
