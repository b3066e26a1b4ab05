package dev.keel.raft.examples.kv;

import dev.keel.raft.statemachine.ApplyContext;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Expiry under clock skew, simulated deterministically: three replicas of the KV state machine whose clocks are off
 * by up to 3 s either way; leadership moves between them and each leader stamps its own clock into the entries it
 * appends, clamped so log time never goes back (as Keel's runtime does); replicas apply the log at their own pace,
 * some restart from another's snapshot; reads run on any replica at its own clock.
 *
 * <p>Checked after every step: replicas at the same index hold exactly the same state (same keys expired, same
 * expiry times: RAFT.DIGEST); every read answers what a model of the log gives at that index for the read's time,
 * which is never earlier than the index's log time, so no read returns a key the log had already expired. Seeded;
 * the seed is printed and {@code -Dkeel.test.seed} replays it.
 */
class ExpiryClockSkewSimulationTest {
    private static final int REPLICAS = 3;
    private static final int KEYS = 40;

    /** One key in the model: its value and expiry time (0: none). */
    private record Entry(String value, long expireAt) {
    }

    @Test
    void replicasExpireTheSameKeysAtTheSameIndexAndReadsNeverSeeWhatTheLogExpired() throws IOException {
        long seed = Long.getLong("keel.test.seed", System.nanoTime());
        System.out.println("ExpiryClockSkewSimulationTest seed " + seed + " (replay with -Dkeel.test.seed=" + seed + ")");
        for (int run = 0; run < 5; run++) {
            simulate(new SplittableRandom(seed + run), seed + run);
        }
    }

    private void simulate(SplittableRandom random, long seed) throws IOException {
        long[] skew = new long[REPLICAS];
        for (int i = 0; i < REPLICAS; i++) {
            skew[i] = random.nextLong(-3_000, 3_001);
        }
        long[] virtualNow = {1_800_000_000_000L};
        KvStateMachine[] replicas = new KvStateMachine[REPLICAS];
        for (int i = 0; i < REPLICAS; i++) {
            int r = i;
            replicas[i] = new KvStateMachine(() -> virtualNow[0] + skew[r]);
        }
        List<byte[]> log = new ArrayList<>();
        List<Long> logTimes = new ArrayList<>();
        List<Map<String, Entry>> models = new ArrayList<>(); // the model after each index (index i at i - 1)
        int[] applied = new int[REPLICAS];
        Map<String, Entry> model = new HashMap<>();
        int leader = 0;
        long logTime = 0;
        for (int step = 0; step < 2_000; step++) {
            virtualNow[0] += random.nextLong(0, 200);
            if (random.nextInt(100) == 0) {
                leader = random.nextInt(REPLICAS);
            }
            // The leader appends one command, stamped with its clock, never before the log's time.
            logTime = Math.max(logTime, virtualNow[0] + skew[leader]);
            String key = "k" + random.nextInt(KEYS);
            byte[] command = command(random, key);
            model = applyToModel(model, command, logTime);
            log.add(command);
            logTimes.add(logTime);
            models.add(model);
            // Replicas catch up to random points; the leader's own copy is always current.
            for (int r = 0; r < REPLICAS; r++) {
                int target = r == leader ? log.size() : random.nextInt(applied[r], log.size() + 1);
                for (; applied[r] < target; applied[r]++) {
                    replicas[r].apply(ApplyContext.of(applied[r] + 1, logTimes.get(applied[r])), log.get(applied[r]));
                }
            }
            if (random.nextInt(300) == 0) {
                int from = random.nextInt(REPLICAS);
                int to = (from + 1) % REPLICAS;
                replicas[to] = restore(replicas[from], virtualNow, skew[to]);
                applied[to] = applied[from];
            }
            checkAgreement(replicas, applied, seed, step);
            int reader = random.nextInt(REPLICAS);
            if (applied[reader] > 0) {
                checkRead(replicas[reader], models.get(applied[reader] - 1), logTimes.get(applied[reader] - 1),
                        virtualNow[0] + skew[reader], "k" + random.nextInt(KEYS), seed, step);
            }
        }
    }

    private static byte[] command(SplittableRandom random, String key) {
        byte[] k = b(key);
        return switch (random.nextInt(6)) {
            case 0, 1 -> new KvCommand(Op.SET, KvCommand.SET_TTL, List.of(k, b("v" + random.nextInt(1000)),
                    KvCommand.longBytes(random.nextLong(1, 4_000)))).encode();
            case 2 -> KvCommand.of(Op.SET, k, b("p" + random.nextInt(1000))).encode();
            case 3 -> KvCommand.of(Op.EXPIRE, k, KvCommand.longBytes(random.nextLong(-100, 4_000))).encode();
            case 4 -> KvCommand.of(Op.PERSIST, k).encode();
            default -> KvCommand.of(Op.APPEND, k, b("+")).encode();
        };
    }

    /** What the log means, written independently of the state machine: the oracle reads are checked against. */
    private static Map<String, Entry> applyToModel(Map<String, Entry> before, byte[] encoded, long now) {
        Map<String, Entry> m = new HashMap<>(before);
        m.entrySet().removeIf(e -> e.getValue().expireAt() != 0 && e.getValue().expireAt() <= now);
        KvCommand c = KvCommand.decode(encoded);
        String key = str(c.arg(0));
        Entry e = m.get(key);
        switch (c.op()) {
            case SET -> {
                long at = c.hasFlag(KvCommand.SET_TTL) ? now + c.longArg(2) : 0;
                m.put(key, new Entry(str(c.arg(1)), at));
            }
            case EXPIRE -> {
                if (e != null) {
                    long at = now + c.longArg(1);
                    if (at <= now) {
                        m.remove(key);
                    } else {
                        m.put(key, new Entry(e.value(), at));
                    }
                }
            }
            case PERSIST -> {
                if (e != null) {
                    m.put(key, new Entry(e.value(), 0));
                }
            }
            case APPEND -> m.put(key, e == null ? new Entry("+", 0) : new Entry(e.value() + "+", e.expireAt()));
            default -> throw new AssertionError(c.op());
        }
        return m;
    }

    private static void checkAgreement(KvStateMachine[] replicas, int[] applied, long seed, int step) {
        Map<Integer, String> digestAt = new HashMap<>();
        for (int r = 0; r < replicas.length; r++) {
            String digest = str(replicas[r].query(KvCommand.of(Op.DIGEST).encode()));
            String other = digestAt.putIfAbsent(applied[r], digest);
            assertThat(other == null || other.equals(digest))
                    .as("seed %d step %d: replicas at index %d differ", seed, step, applied[r]).isTrue();
        }
    }

    private static void checkRead(KvStateMachine replica, Map<String, Entry> model, long logTime, long clock,
                                  String key, long seed, int step) {
        long readTime = Math.max(logTime, clock);
        Entry e = model.get(key);
        boolean live = e != null && (e.expireAt() == 0 || e.expireAt() > readTime);
        String get = str(replica.query(KvCommand.of(Op.GET, b(key)).encode()));
        String ttl = str(replica.query(new KvCommand(Op.TTL, KvCommand.TTL_MILLIS, List.of(b(key))).encode()));
        String expectedGet = live ? "$" + e.value().length() + "\r\n" + e.value() + "\r\n" : "$-1\r\n";
        String expectedTtl = !live ? ":-2\r\n" : e.expireAt() == 0 ? ":-1\r\n" : ":" + (e.expireAt() - readTime) + "\r\n";
        assertThat(get).as("seed %d step %d: GET %s at read time %d (log time %d)", seed, step, key, readTime, logTime)
                .isEqualTo(expectedGet);
        assertThat(ttl).as("seed %d step %d: PTTL %s", seed, step, key).isEqualTo(expectedTtl);
        if (e != null && e.expireAt() != 0 && e.expireAt() <= logTime) {
            assertThat(get).as("seed %d step %d: a key the log expired is never read", seed, step)
                    .isEqualTo("$-1\r\n");
        }
    }

    private static KvStateMachine restore(KvStateMachine from, long[] now, long skew) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        from.takeSnapshot().writeTo(out);
        KvStateMachine to = new KvStateMachine(() -> now[0] + skew);
        to.restoreSnapshot(new ByteArrayInputStream(out.toByteArray()));
        return to;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
