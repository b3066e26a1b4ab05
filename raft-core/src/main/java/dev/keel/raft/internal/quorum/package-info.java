/**
 * Pure majority arithmetic: vote tallies and the commit index of a set of match indexes.
 *
 * <p>Internal: not API. Anything here may change without notice.
 */
package dev.keel.raft.internal.quorum;
