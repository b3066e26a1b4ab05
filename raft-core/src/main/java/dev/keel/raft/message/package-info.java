/**
 * The messages Raft servers exchange, as immutable records under one sealed interface,
 * {@link dev.keel.raft.message.RaftMessage}. Each record cites the section of the Raft paper (or Diego Ongaro's
 * thesis) it implements. Transports map these records to and from their wire format.
 */
package dev.keel.raft.message;
