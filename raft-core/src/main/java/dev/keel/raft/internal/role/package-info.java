/**
 * The behaviour of each Raft role (follower, pre-candidate, candidate, leader), one class each.
 *
 * <p>Internal: not API. Anything here may change without notice.
 */
package dev.keel.raft.internal.role;
