package dev.keel.raft.examples.kv;

import dev.keel.raft.statemachine.ApplyContext;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Expiry in the state machine: writes judge it by the entry's log time, reads by the later of the last log time and
 * the node's clock (here a manual one).
 */
class KvExpiryStateMachineTest {
    static final long T0 = 1_800_000_000_000L;
    private long clock = T0;
    private long logTime = T0;
    private long index;
    private final KvStateMachine sm = new KvStateMachine(() -> clock);

    @Test
    void setWithExOrPxExpiresOnceTheReadTimeReachesIt() {
        assertThat(write(KvCommand.SET_TTL, Op.SET, "k", "v", 1500L)).isEqualTo("+OK\r\n");
        assertThat(read(Op.GET, "k")).isEqualTo("$1\r\nv\r\n");
        assertThat(readFlags(KvCommand.TTL_MILLIS, Op.TTL, "k")).isEqualTo(":1500\r\n");
        assertThat(read(Op.TTL, "k")).isEqualTo(":2\r\n"); // 1.5 s rounds to 2, as in Redis
        clock = T0 + 1499;
        assertThat(read(Op.GET, "k")).isEqualTo("$1\r\nv\r\n");
        assertThat(readFlags(KvCommand.TTL_MILLIS, Op.TTL, "k")).isEqualTo(":1\r\n");
        clock = T0 + 1500;
        assertThat(read(Op.GET, "k")).isEqualTo("$-1\r\n");
        assertThat(read(Op.EXISTS, "k")).isEqualTo(":0\r\n");
        assertThat(read(Op.TTL, "k")).isEqualTo(":-2\r\n");
        assertThat(read(Op.KEYS, "*")).isEqualTo("*0\r\n");
        assertThat(read(Op.DBSIZE)).isEqualTo(":1\r\n"); // held until removed, as Redis counts it
        // A write at a log time past the expiry removes it for good.
        logTime = T0 + 1500;
        assertThat(write(0, Op.APPEND, "k", "x")).isEqualTo(":1\r\n");
        assertThat(read(Op.TTL, "k")).isEqualTo(":-1\r\n");
    }

    @Test
    void aReadNeverJudgesByATimeBeforeTheLastLogTime() {
        write(KvCommand.SET_TTL, Op.SET, "k", "v", 1000L);
        clock = T0 - 60_000; // this node's clock is a minute behind the leaders'
        logTime = T0 + 1000;
        write(0, Op.SET, "other", "x");
        assertThat(read(Op.GET, "k")).isEqualTo("$-1\r\n");
    }

    @Test
    void expireAndItsOptionsFollowRedis() {
        write(0, Op.SET, "k", "v");
        assertThat(expire(0, "k", 10_000)).isEqualTo(":1\r\n");
        assertThat(expire(KvCommand.EXPIRE_NX, "k", 20_000)).isEqualTo(":0\r\n");
        assertThat(expire(KvCommand.EXPIRE_XX, "k", 20_000)).isEqualTo(":1\r\n");
        assertThat(expire(KvCommand.EXPIRE_GT, "k", 5_000)).isEqualTo(":0\r\n");
        assertThat(expire(KvCommand.EXPIRE_LT, "k", 5_000)).isEqualTo(":1\r\n");
        assertThat(readFlags(KvCommand.TTL_MILLIS, Op.TTL, "k")).isEqualTo(":5000\r\n");
        assertThat(write(0, Op.PERSIST, "k")).isEqualTo(":1\r\n");
        assertThat(write(0, Op.PERSIST, "k")).isEqualTo(":0\r\n");
        assertThat(expire(KvCommand.EXPIRE_GT, "k", 5_000)).isEqualTo(":0\r\n"); // no expiry counts as never
        assertThat(expire(KvCommand.EXPIRE_LT, "k", 5_000)).isEqualTo(":1\r\n");
        assertThat(expire(KvCommand.EXPIRE_AT, "k", T0 + 7_000)).isEqualTo(":1\r\n");
        assertThat(readFlags(KvCommand.TTL_MILLIS, Op.TTL, "k")).isEqualTo(":7000\r\n");
        assertThat(expire(0, "missing", 1_000)).isEqualTo(":0\r\n");
        // A time already past deletes the key.
        assertThat(expire(0, "k", -1)).isEqualTo(":1\r\n");
        assertThat(read(Op.EXISTS, "k")).isEqualTo(":0\r\n");
    }

    @Test
    void setClearsTheExpiryUnlessKeepTtlWhileIncrAppendAndHsetKeepIt() {
        write(KvCommand.SET_TTL, Op.SET, "s", "1", 10_000L);
        str(sm.apply(ctx(), KvCommand.incrBy(b("s"), 1).encode()));
        write(0, Op.APPEND, "s", "0");
        assertThat(readFlags(KvCommand.TTL_MILLIS, Op.TTL, "s")).isEqualTo(":10000\r\n");
        assertThat(read(Op.GET, "s")).isEqualTo("$2\r\n20\r\n");
        write(KvCommand.SET_KEEPTTL, Op.SET, "s", "kept");
        assertThat(readFlags(KvCommand.TTL_MILLIS, Op.TTL, "s")).isEqualTo(":10000\r\n");
        write(0, Op.SET, "s", "cleared");
        assertThat(read(Op.TTL, "s")).isEqualTo(":-1\r\n");
        write(0, Op.HSET, "h", "f", "v");
        expire(0, "h", 3_000);
        write(0, Op.HSET, "h", "g", "w");
        assertThat(readFlags(KvCommand.TTL_MILLIS, Op.TTL, "h")).isEqualTo(":3000\r\n");
        write(0, Op.MSET, "h", "now a string");
        assertThat(read(Op.TTL, "h")).isEqualTo(":-1\r\n");
        // SET ... PXAT in the past stores nothing.
        assertThat(write(KvCommand.SET_AT, Op.SET, "past", "v", T0 - 1)).isEqualTo("+OK\r\n");
        assertThat(read(Op.EXISTS, "past")).isEqualTo(":0\r\n");
    }

    @Test
    void theSweepRemovesExpiredKeysNobodyTouchesAgain() {
        for (int i = 0; i < 100; i++) {
            write(KvCommand.SET_TTL, Op.SET, "t" + i, "v", 100L);
        }
        write(0, Op.SET, "keep", "v");
        assertThat(sm.keyCount()).isEqualTo(101);
        assertThat(sm.expiringKeyCount()).isEqualTo(100);
        logTime = T0 + 100;
        for (int i = 0; i < 100 / Keyspace.SWEEP_PER_ENTRY + 2; i++) {
            write(0, Op.SET, "tick", Integer.toString(i));
        }
        assertThat(sm.keyCount()).isEqualTo(2);
        assertThat(sm.expiringKeyCount()).isZero();
    }

    @Test
    void replicasAgreeWhetherTheyReplayedTheLogOrRestoredASnapshotMidway() throws IOException {
        KvStateMachine replayed = new KvStateMachine(() -> clock);
        KvStateMachine restored = null;
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int step = 0; step < 2_000; step++) {
            logTime += random.nextInt(0, 20);
            byte[] entry = random.nextBoolean()
                    ? new KvCommand(Op.SET, KvCommand.SET_TTL, List.of(b("k" + random.nextInt(300)), b("v"),
                    KvCommand.longBytes(random.nextLong(1, 2_000)))).encode()
                    : KvCommand.of(Op.SET, b("k" + random.nextInt(300)), b("w")).encode();
            ApplyContext ctx = ApplyContext.of(step + 1, logTime);
            replayed.apply(ctx, entry);
            if (restored != null) {
                restored.apply(ctx, entry);
            }
            if (step == 700) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                replayed.takeSnapshot().writeTo(out);
                restored = new KvStateMachine(() -> clock);
                restored.restoreSnapshot(new ByteArrayInputStream(out.toByteArray()));
            }
        }
        String digest = str(replayed.query(KvCommand.of(Op.DIGEST).encode()));
        assertThat(str(restored.query(KvCommand.of(Op.DIGEST).encode()))).isEqualTo(digest);
        assertThat(restored.keyCount()).isEqualTo(replayed.keyCount());
        assertThat(restored.expiringKeyCount()).isEqualTo(replayed.expiringKeyCount()).isPositive();
    }

    private ApplyContext ctx() {
        return ApplyContext.of(++index, logTime);
    }

    private String expire(int flags, String key, long millis) {
        return str(sm.apply(ctx(), new KvCommand(Op.EXPIRE, flags, List.of(b(key), KvCommand.longBytes(millis)))
                .encode()));
    }

    private String write(int flags, Op op, String key, String value, long time) {
        return str(sm.apply(ctx(), new KvCommand(op, flags, List.of(b(key), b(value), KvCommand.longBytes(time)))
                .encode()));
    }

    private String write(int flags, Op op, String... args) {
        return str(sm.apply(ctx(), new KvCommand(op, flags, Arrays.stream(args).map(KvExpiryStateMachineTest::b)
                .toList()).encode()));
    }

    private String read(Op op, String... args) {
        return readFlags(0, op, args);
    }

    private String readFlags(int flags, Op op, String... args) {
        return str(sm.query(new KvCommand(op, flags, Arrays.stream(args).map(KvExpiryStateMachineTest::b).toList())
                .encode()));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
