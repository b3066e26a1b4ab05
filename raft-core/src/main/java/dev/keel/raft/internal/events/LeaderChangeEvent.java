package dev.keel.raft.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A server learned of a new leader, or lost the one it knew, or changed its own role. */
@Name("dev.keel.raft.LeaderChange")
@Label("Raft Leader Change")
@Category({"Keel", "Raft"})
@Description("The leader or the role a server knows changed")
@StackTrace(false)
public final class LeaderChangeEvent extends Event {
    @Label("Node")
    public String node;
    @Label("Term")
    public long term;
    @Label("Role")
    public String role;
    @Label("Previous Leader")
    public String previousLeader;
    @Label("Leader")
    @Description("The leader now known; empty while none is")
    public String leader;
}
