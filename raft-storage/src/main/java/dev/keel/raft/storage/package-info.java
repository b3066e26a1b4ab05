/**
 * Durable, file-backed implementations of the storage plug-in interfaces of {@code dev.keel.raft.spi}.
 */
package dev.keel.raft.storage;
