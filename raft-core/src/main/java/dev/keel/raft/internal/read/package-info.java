/**
 * Bookkeeping for linearizable reads (ReadIndex, thesis §6.4): pending reads and the heartbeat rounds that confirm leadership.
 *
 * <p>Internal: not API. Anything here may change without notice.
 */
package dev.keel.raft.internal.read;
