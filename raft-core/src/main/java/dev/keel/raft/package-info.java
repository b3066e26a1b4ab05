/**
 * Keel's public API: build a {@link dev.keel.raft.RaftServer} with its {@link dev.keel.raft.RaftConfig}, a
 * {@link dev.keel.raft.statemachine.StateMachine}, a {@link dev.keel.raft.spi.LogStorage} and a
 * {@link dev.keel.raft.spi.Transport}, then submit commands and run linearizable reads through it.
 */
package dev.keel.raft;
