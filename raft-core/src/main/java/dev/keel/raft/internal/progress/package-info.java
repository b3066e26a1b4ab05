/**
 * The leader's view of each follower: match and next index, probe or pipelined replication, the in-flight window.
 *
 * <p>Internal: not API. Anything here may change without notice.
 */
package dev.keel.raft.internal.progress;
