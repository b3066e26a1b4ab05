/**
 * Keel's Raft core: the public API ({@link dev.keel.raft.RaftServer} and its builder, the
 * {@link dev.keel.raft.statemachine.StateMachine} an application implements, the storage and transport plug-in
 * interfaces of {@code dev.keel.raft.spi}, the metrics SPI of {@code dev.keel.raft.metrics}, messages, log records and
 * exceptions) and the consensus engine.
 *
 * <p>Only the API packages are exported; the engine and the runtime ({@code dev.keel.raft.internal.*}) are not, so
 * that they can change in any release without breaking an application.
 */
module dev.keel.raft {
    requires org.slf4j;
    // Flight Recorder events are emitted only where the runtime has jdk.jfr (RaftEvents checks): a trimmed image
    // without it runs the same, recording nothing.
    requires static jdk.jfr;

    exports dev.keel.raft;
    exports dev.keel.raft.exception;
    exports dev.keel.raft.log;
    exports dev.keel.raft.message;
    exports dev.keel.raft.metrics;
    exports dev.keel.raft.spi;
    exports dev.keel.raft.statemachine;
}
