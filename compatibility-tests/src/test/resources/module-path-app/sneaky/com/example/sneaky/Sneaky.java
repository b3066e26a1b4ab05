package com.example.sneaky;

/** Compiles only if the Keel modules exported their internals: javac must refuse every line below. */
final class Sneaky {
    int quorum = dev.keel.raft.internal.quorum.Majority.size(3);
    int record = dev.keel.raft.storage.internal.RecordFormat.HEADER_BYTES;
    Object netty = dev.keel.raft.transport.netty.shaded.io.netty.util.Version.identify();
}
