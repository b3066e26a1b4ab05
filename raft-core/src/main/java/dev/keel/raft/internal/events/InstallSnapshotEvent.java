package dev.keel.raft.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One InstallSnapshot transfer (Raft §7), on the leader (direction {@code sent}, until the follower installed it or
 * the transfer ended) or on the follower (direction {@code received}, until it was durable and verified).
 */
@Name("dev.keel.raft.InstallSnapshot")
@Label("Raft InstallSnapshot")
@Category({"Keel", "Raft"})
@Description("A snapshot streamed from the leader to a follower")
@StackTrace(false)
public final class InstallSnapshotEvent extends Event {
    @Label("Node")
    public String node;
    @Label("Peer")
    @Description("The follower (when sent) or the leader (when received)")
    public String peer;
    @Label("Direction")
    @Description("sent or received")
    public String direction;
    @Label("Snapshot Index")
    public long index;
    @Label("Bytes")
    @DataAmount
    public long bytes;
    @Label("Outcome")
    @Description("installed, rejected, abandoned, failed or superseded")
    public String outcome;
}
