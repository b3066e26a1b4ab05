module com.example.sneaky {
    requires dev.keel.raft;
    requires dev.keel.raft.storage;
    requires dev.keel.raft.transport.netty;
}
