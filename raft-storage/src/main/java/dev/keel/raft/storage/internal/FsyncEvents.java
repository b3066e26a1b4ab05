package dev.keel.raft.storage.internal;

/**
 * The slow-fsync JFR event, behind a check that the runtime has {@code jdk.jfr}: a runtime image built with
 * {@code jlink} without it records no event instead of failing the log's I/O thread. The JFR classes are touched only
 * in {@link Jfr}, loaded only when the module is there.
 */
final class FsyncEvents {
    private static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private FsyncEvents() {
    }

    /** Starts timing a force; pass the result to {@link #end}. {@code null} when JFR is absent. */
    static Object begin() {
        return AVAILABLE ? Jfr.begin() : null;
    }

    /** The force that {@code started} timed is done: records it if it was slower than the event's threshold. */
    static void end(Object started, String directory, long entries, long bytes) {
        if (started != null) {
            Jfr.end(started, directory, entries, bytes);
        }
    }

    private static final class Jfr {
        static Object begin() {
            SlowFsyncEvent e = new SlowFsyncEvent();
            e.begin();
            return e;
        }

        static void end(Object started, String directory, long entries, long bytes) {
            SlowFsyncEvent e = (SlowFsyncEvent) started;
            e.end();
            if (e.shouldCommit()) {
                e.directory = directory;
                e.entries = entries;
                e.bytes = bytes;
                e.commit();
            }
        }
    }
}
