/**
 * A linearizability checker for recorded histories of a key-value store of registers (read, write, compare-and-set),
 * usable on any system's histories, not only Keel's.
 *
 * <p>Record every client operation as an {@link dev.keel.raft.testing.linearizability.Operation} (with its outcome:
 * OK, FAIL when it certainly did not take effect, UNKNOWN when the client cannot tell), collect them in a
 * {@link dev.keel.raft.testing.linearizability.History}, and pass it to a
 * {@link dev.keel.raft.testing.linearizability.LinearizabilityChecker}. The
 * {@link dev.keel.raft.testing.linearizability.CheckResult} carries a
 * {@link dev.keel.raft.testing.linearizability.Verdict} and, for a violation, a
 * {@link dev.keel.raft.testing.linearizability.Violation} naming the key and a small window of operations that
 * cannot be ordered. A verdict of UNKNOWN (the time budget ran out) is a failure, never a pass.
 *
 * <p>Package-private classes hold the engine: the per-key search ({@code WglSearch}), its memo
 * ({@code StateCache}) and the shrinking of violations ({@code Shrinker}).
 */
package dev.keel.raft.testing.linearizability;
