/**
 * Keel's TCP transport: {@link dev.keel.raft.transport.netty.NettyTransport}.
 *
 * <p>The descriptor of the published jar, in which Netty, protobuf-java and the generated wire classes are bundled
 * under {@code dev.keel.raft.transport.netty.shaded}: they are packages of this module, not modules it requires, and
 * none of them is exported. Only the API package is.
 */
module dev.keel.raft.transport.netty {
    requires transitive dev.keel.raft;
    requires org.slf4j;
    // Bundled Netty and protobuf log through java.util.logging when slf4j is absent, and use sun.misc.Unsafe where
    // it is present; JFR events are optional in Netty.
    requires java.logging;
    requires jdk.unsupported;
    requires static jdk.jfr;

    exports dev.keel.raft.transport.netty;
}
