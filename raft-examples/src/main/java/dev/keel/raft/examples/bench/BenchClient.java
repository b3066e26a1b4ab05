package dev.keel.raft.examples.bench;

/**
 * One load thread's connection to the system under test. Each call performs one operation and returns once its
 * result is back; an exception counts as an error, after which the runner opens a new client.
 */
interface BenchClient extends AutoCloseable {
    /** One write of the payload, acknowledged once committed (and applied on the node that answers). */
    void write() throws Exception;

    /** One linearizable read. */
    void read() throws Exception;

    @Override
    void close();
}
