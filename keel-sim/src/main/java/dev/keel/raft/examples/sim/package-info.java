/**
 * {@code keel-sim}: the deterministic cluster simulator of {@code raft-testkit}, run from the command line with a
 * readable timeline, to watch Raft work and to replay a failing seed.
 */
package dev.keel.raft.examples.sim;
