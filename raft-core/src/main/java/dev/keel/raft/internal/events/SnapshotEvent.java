package dev.keel.raft.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A snapshot of the state machine written to disk, from capture to durable. */
@Name("dev.keel.raft.Snapshot")
@Label("Raft Snapshot")
@Category({"Keel", "Raft"})
@Description("A snapshot of the state machine taken and made durable")
@StackTrace(false)
public final class SnapshotEvent extends Event {
    @Label("Node")
    public String node;
    @Label("Index")
    public long index;
    @Label("Term")
    public long term;
    @Label("Size")
    @DataAmount
    public long size;
    @Label("Succeeded")
    public boolean succeeded;
}
