package dev.keel.raft.examples.kv.container;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Lists every node's log directory ({@code /data/log}) together with the node's own view of its log ({@code INFO raft}),
 * over and over on its own thread until {@link #close()}, so that a test can tell how the log's disk use evolved:
 * which segment files were deleted by compaction, how many bytes the directory held, and how many entries the log held
 * at most.
 *
 * <p>Counts of entries come from one {@code INFO} reply only (first and last log index, snapshot index, read by the node
 * at one moment). They must not be derived from the listing and a separately read last index: across a snapshot
 * install the listing may still show the empty log's segment at index 1 while {@code INFO} already reports the
 * snapshot's index, which once made an empty log look like 6,001 entries.
 */
final class LogDirectorySampler implements AutoCloseable {
    static final String LOG_DIR = "/data/log";

    /**
     * One observation of one node's log.
     *
     * @param segments      base index of every segment file present, ascending
     * @param bytes         the size of every file in the directory together
     * @param firstLogIndex the first entry the node's log holds (INFO, read just after the listing)
     * @param lastLogIndex  the node's last log index, from the same INFO reply
     * @param snapshotIndex the index its newest snapshot covers, from the same INFO reply
     */
    record Sample(List<Long> segments, long bytes, long firstLogIndex, long lastLogIndex, long snapshotIndex) {
        /** Entries the log holds: from its first entry to its last, by the node's own account. */
        long entries() {
            return Math.max(0, lastLogIndex - firstLogIndex + 1);
        }

        /** Entries the log holds that are also in the newest snapshot (kept for followers that are slightly behind). */
        long entriesBeforeSnapshot() {
            return Math.max(0, Math.min(snapshotIndex, lastLogIndex) - firstLogIndex + 1);
        }
    }

    private final ContainerCluster cluster;
    private final List<List<Sample>> samples = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    LogDirectorySampler(ContainerCluster cluster) {
        this.cluster = cluster;
        for (int i = 0; i < cluster.size(); i++) {
            samples.add(Collections.synchronizedList(new ArrayList<>()));
        }
        thread = new Thread(this::run, "log-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running.get()) {
            for (int i = 0; i < cluster.size(); i++) {
                sample(i).ifPresent(samples.get(i)::add);
            }
            try {
                Thread.sleep(300); // paces the listings; nothing waits on it
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Node {@code i}'s log now, or empty while it is down (stopped, removed or not answering). */
    Optional<Sample> sample(int i) {
        try {
            Map<String, Long> files = cluster.files(i, LOG_DIR);
            Optional<Map<String, String>> info = cluster.raftInfo(i);
            if (info.isEmpty()) {
                return Optional.empty();
            }
            List<Long> segments = files.keySet().stream()
                    .filter(f -> f.startsWith("segment-") && f.endsWith(".log"))
                    .map(f -> Long.parseLong(f.substring("segment-".length(), f.length() - ".log".length())))
                    .sorted().toList();
            long bytes = files.values().stream().mapToLong(Long::longValue).sum();
            Map<String, String> raft = info.get();
            return Optional.of(new Sample(segments, bytes, Long.parseLong(raft.get("first_log_index")),
                    Long.parseLong(raft.get("last_log_index")), Long.parseLong(raft.get("snapshot_index"))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Node {@code i}'s observations so far, oldest first. */
    List<Sample> samples(int i) {
        synchronized (samples.get(i)) {
            return List.copyOf(samples.get(i));
        }
    }

    @Override
    public void close() {
        running.set(false);
        thread.interrupt();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
