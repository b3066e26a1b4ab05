package dev.keel.raft.examples.kv.config;

import dev.keel.raft.NodeId;

/**
 * Another member of the cluster: where its Raft transport and its client port are.
 *
 * @param id     its node id
 * @param raft   its Raft transport address
 * @param client its client (RESP) address, where this node forwards writes while that peer leads
 */
public record PeerConfig(NodeId id, HostPort raft, HostPort client) {
}
