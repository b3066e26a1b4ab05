package dev.keel.raft.examples.kv.container;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Lists every node's log directory ({@code /data/log}) together with its last log index, over and over on its own
 * thread until {@link #close()}, so that a test can tell how the log's disk use evolved: which segment files were
 * deleted by compaction, and how many entries were on disk at most.
 */
final class LogDirectorySampler implements AutoCloseable {
    static final String LOG_DIR = "/data/log";

    /**
     * One observation of one node's log.
     *
     * @param segments     base index of every segment file present, ascending
     * @param bytes        the size of every file in the directory together
     * @param lastLogIndex the node's last log index (INFO), read just after the listing
     */
    record Sample(List<Long> segments, long bytes, long lastLogIndex) {
        /** Entries on disk: from the oldest segment's first entry to the last one. */
        long entriesOnDisk() {
            return segments.isEmpty() ? 0 : lastLogIndex - segments.get(0) + 1;
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
            return Optional.of(new Sample(segments, bytes, Long.parseLong(info.get().get("last_log_index"))));
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
