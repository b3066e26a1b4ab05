package dev.keel.raft.storage.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * A force of the log to disk that took longer than the threshold (10 ms unless a recording's settings say otherwise:
 * {@code jfr configure} or a {@code .jfc} file, event {@code dev.keel.raft.SlowFsync}).
 */
@Name("dev.keel.raft.SlowFsync")
@Label("Raft Log Slow Fsync")
@Category({"Keel", "Raft"})
@Description("A force (fsync) of the Raft log that took longer than the threshold")
@Threshold("10 ms")
@StackTrace(false)
public final class SlowFsyncEvent extends Event {
    @Label("Directory")
    public String directory;
    @Label("Entries")
    @Description("Log entries this force made durable")
    public long entries;
    @Label("Bytes")
    @Description("Bytes written since the previous force")
    @DataAmount
    public long bytes;
}
