package dev.keel.raft.examples.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * CPU time, allocation and GC pauses of this JVM over a measurement window, with the allocation of the leader's own
 * threads (named after its node id) counted separately.
 */
final class JvmMeters implements BenchTarget.Meters {
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final Pattern leaderThread;
    private final long cpuStart;
    private final Map<Long, Long> allocatedStart;
    private final AtomicLong maxPause = new AtomicLong();
    private final AtomicLong pauses = new AtomicLong();
    private final NotificationListener gcListener = this::onGc;

    private JvmMeters(String leaderId) {
        this.leaderThread = Pattern.compile("keel-(netty-|log-io-)?" + Pattern.quote(leaderId) + "(-.*)?");
        threads.setThreadAllocatedMemoryEnabled(true);
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener(gcListener, null, null);
        }
        this.cpuStart = os.getProcessCpuTime();
        this.allocatedStart = allocatedByThread();
    }

    static JvmMeters start(String leaderId) {
        return new JvmMeters(leaderId);
    }

    private void onGc(Notification n, Object handback) {
        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            // Concurrent cycles do not stop the application; only pauses count.
            if (!info.getGcAction().contains("concurrent") && !info.getGcName().contains("Cycles")) {
                pauses.incrementAndGet();
                maxPause.accumulateAndGet(info.getGcInfo().getDuration(), Math::max);
            }
        }
    }

    private Map<Long, Long> allocatedByThread() {
        Map<Long, Long> out = new HashMap<>();
        long[] ids = threads.getAllThreadIds();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        for (int i = 0; i < ids.length; i++) {
            out.put(ids[i], bytes[i]);
        }
        return out;
    }

    @Override
    public BenchTarget.Costs stop() {
        long cpu = os.getProcessCpuTime() - cpuStart;
        long total = 0;
        long leader = 0;
        long[] ids = threads.getAllThreadIds();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        java.lang.management.ThreadInfo[] infos = threads.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] < 0 || infos[i] == null) {
                continue;
            }
            long delta = bytes[i] - allocatedStart.getOrDefault(ids[i], 0L);
            total += delta;
            if (leaderThread.matcher(infos[i].getThreadName()).matches()) {
                leader += delta;
            }
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            try {
                ((NotificationEmitter) gc).removeNotificationListener(gcListener);
            } catch (javax.management.ListenerNotFoundException e) {
                // already gone
            }
        }
        return new BenchTarget.Costs(cpu, total, leader, pauses.get(), maxPause.get());
    }

    /** The names of the threads counted as the leader's, for the report. */
    static List<String> describe(String leaderId) {
        return List.of("keel-" + leaderId + "-*", "keel-netty-" + leaderId + "-*", "keel-log-io-" + leaderId);
    }
}
