/**
 * The application's side of replication: the {@link dev.keel.raft.statemachine.StateMachine} interface (on bytes),
 * or a {@link dev.keel.raft.statemachine.TypedStateMachine} with a {@link dev.keel.raft.statemachine.Protocol} of
 * {@link dev.keel.raft.statemachine.Codec}s; {@link dev.keel.raft.statemachine.ApplyContext} gives each command its
 * index and the log time every replica agrees on.
 */
package dev.keel.raft.statemachine;
