/**
 * Keel's JFR events (the JDK's Flight Recorder, no dependency): elections, leader changes, snapshots and
 * InstallSnapshot transfers, recorded next to GC and I/O events when a recording runs ({@code jcmd <pid> JFR.start}).
 * They are emitted by the runtime, never by the deterministic engine; an event costs almost nothing while no
 * recording is running. The names ({@code dev.keel.raft.*}) and fields are what an operator sees in JDK Mission
 * Control or {@code jfr print --events dev.keel.raft.Election}.
 *
 * <p>Internal: not API.
 */
package dev.keel.raft.internal.events;
