/**
 * Forwarding writes from a follower to the leader. The follower validates and encodes the client's command
 * ({@link dev.keel.raft.examples.kv.KvCommand}), then sends {@code KEEL.SUBMIT <encoded command>} as a RESP2 array to
 * the leader's client port over one pipelined Netty connection per leader. The leader submits it to its
 * {@code RaftServer} and answers with a bulk string holding the reply's RESP bytes, which the follower relays
 * unchanged, or with {@code -NOTLEADER} (the follower retries once it knows the new leader) or another error (relayed).
 * A request written to a connection that breaks before its reply arrives has an unknown outcome. Membership commands
 * travel the same way as {@code KEEL.ADMIN <command>}, on a second connection per leader.
 */
package dev.keel.raft.examples.kv.forward;
