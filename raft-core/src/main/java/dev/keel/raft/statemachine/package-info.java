/**
 * The application's side of replication: the {@link dev.keel.raft.statemachine.StateMachine} interface.
 */
package dev.keel.raft.statemachine;
