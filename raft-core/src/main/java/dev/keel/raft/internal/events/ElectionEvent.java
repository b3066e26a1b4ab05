package dev.keel.raft.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One campaign of a server, from the pre-vote (or election) it started to its outcome: won, lost (another leader or a
 * denied vote) or restarted (the election timeout passed again). Its duration is how long the server was without a
 * leader because of it.
 */
@Name("dev.keel.raft.Election")
@Label("Raft Election")
@Category({"Keel", "Raft"})
@Description("A campaign for leadership, from its first pre-vote or vote request to its outcome")
@StackTrace(false)
public final class ElectionEvent extends Event {
    @Label("Node")
    public String node;
    @Label("Term")
    @Description("The term at the outcome (the term campaigned in, once the pre-vote passed)")
    public long term;
    @Label("Outcome")
    @Description("won, lost or restarted")
    public String outcome;
    @Label("Leader")
    @Description("The leader known at the outcome, if any")
    public String leader;
    @Label("Pre-vote Rounds")
    public long preVotes;
    @Label("Elections")
    @Description("Elections started as a candidate (terms incremented) during this campaign")
    public long elections;
}
