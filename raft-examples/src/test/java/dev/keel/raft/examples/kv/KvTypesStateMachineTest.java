package dev.keel.raft.examples.kv;

import dev.keel.raft.statemachine.ApplyContext;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The state machine's string, hash, key and transaction commands, applied directly (no Raft). */
class KvTypesStateMachineTest {
    private static final String WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

    private final KvStateMachine sm = new KvStateMachine();
    private long index;

    @Test
    void stringCommandsBehaveAsInRedis() {
        assertThat(write(Op.SETNX, "k", "a")).isEqualTo(":1\r\n");
        assertThat(write(Op.SETNX, "k", "b")).isEqualTo(":0\r\n");
        assertThat(write(Op.APPEND, "k", "bc")).isEqualTo(":3\r\n");
        assertThat(write(Op.APPEND, "new", "xy")).isEqualTo(":2\r\n");
        assertThat(read(Op.STRLEN, "k")).isEqualTo(":3\r\n");
        assertThat(read(Op.STRLEN, "missing")).isEqualTo(":0\r\n");
        assertThat(write(Op.MSET, "m1", "1", "m2", "2")).isEqualTo("+OK\r\n");
        assertThat(write(Op.MSETNX, "m3", "3", "m1", "x")).isEqualTo(":0\r\n");
        assertThat(read(Op.EXISTS, "m3")).isEqualTo(":0\r\n");
        assertThat(write(Op.MSETNX, "m3", "3", "m4", "4")).isEqualTo(":1\r\n");
        assertThat(read(Op.MGET, "m1", "m2", "m3", "m4")).isEqualTo("*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n");
        assertThat(write(Op.GETDEL, "m1")).isEqualTo("$1\r\n1\r\n");
        assertThat(write(Op.GETDEL, "m1")).isEqualTo("$-1\r\n");
        assertThat(write(Op.MSET, "odd", "args", "x")).startsWith("-ERR wrong number of arguments");
        assertThat(read(Op.DBSIZE)).isEqualTo(":5\r\n");
    }

    @Test
    void hashCommandsKeepFieldsAndDropEmptyHashes() {
        assertThat(write(Op.HSET, "h", "a", "1", "b", "2")).isEqualTo(":2\r\n");
        assertThat(write(Op.HSET, "h", "a", "10", "c", "3")).isEqualTo(":1\r\n");
        assertThat(write(KvCommand.HSET_REPLY_OK, Op.HSET, "h", "d", "4")).isEqualTo("+OK\r\n");
        assertThat(read(Op.HGET, "h", "a")).isEqualTo("$2\r\n10\r\n");
        assertThat(read(Op.HGET, "h", "zz")).isEqualTo("$-1\r\n");
        assertThat(read(Op.HMGET, "h", "b", "zz", "c")).isEqualTo("*3\r\n$1\r\n2\r\n$-1\r\n$1\r\n3\r\n");
        assertThat(read(Op.HLEN, "h")).isEqualTo(":4\r\n");
        assertThat(read(Op.HEXISTS, "h", "d")).isEqualTo(":1\r\n");
        assertThat(read(Op.HEXISTS, "h", "e")).isEqualTo(":0\r\n");
        assertThat(pairs(read(Op.HGETALL, "h"))).containsExactlyInAnyOrder("a=10", "b=2", "c=3", "d=4");
        assertThat(write(Op.HINCRBY, "h", "b", 40)).isEqualTo(":42\r\n");
        assertThat(write(Op.HINCRBY, "h", "new", -5)).isEqualTo(":-5\r\n");
        write(Op.HSET, "h", "text", "abc");
        assertThat(write(Op.HINCRBY, "h", "text", 1)).isEqualTo("-ERR hash value is not an integer\r\n");
        assertThat(read(Op.TYPE, "h")).isEqualTo("+hash\r\n");
        assertThat(write(Op.HDEL, "h", "a", "b", "c", "d", "new", "zz")).isEqualTo(":5\r\n");
        assertThat(write(Op.HDEL, "h", "text")).isEqualTo(":1\r\n");
        assertThat(read(Op.EXISTS, "h")).isEqualTo(":0\r\n");
        assertThat(read(Op.TYPE, "h")).isEqualTo("+none\r\n");
        assertThat(read(Op.HGETALL, "h")).isEqualTo("*0\r\n");
    }

    @Test
    void commandsOnAKeyOfAnotherTypeGetWrongTypeAndChangeNothing() {
        write(Op.HSET, "h", "f", "1");
        write(Op.SET, "s", "text");
        assertThat(read(Op.GET, "h")).isEqualTo(WRONGTYPE);
        assertThat(read(Op.STRLEN, "h")).isEqualTo(WRONGTYPE);
        assertThat(str(sm.apply(at(++index), KvCommand.incrBy(b("h"), 1).encode()))).isEqualTo(WRONGTYPE);
        assertThat(write(Op.APPEND, "h", "x")).isEqualTo(WRONGTYPE);
        assertThat(write(Op.GETDEL, "h")).isEqualTo(WRONGTYPE);
        assertThat(write(KvCommand.SET_GET, Op.SET, "h", "x")).isEqualTo(WRONGTYPE);
        assertThat(write(Op.CAS, "h", "1", "2")).isEqualTo(WRONGTYPE);
        assertThat(write(Op.HSET, "s", "f", "v")).isEqualTo(WRONGTYPE);
        assertThat(read(Op.HGET, "s", "f")).isEqualTo(WRONGTYPE);
        assertThat(read(Op.HGETALL, "s")).isEqualTo(WRONGTYPE);
        assertThat(write(Op.HINCRBY, "s", "f", 1)).isEqualTo(WRONGTYPE);
        assertThat(write(Op.HDEL, "s", "f")).isEqualTo(WRONGTYPE);
        // MGET reads a key of another type as nil; plain SET replaces any type; DEL removes any type.
        assertThat(read(Op.MGET, "h", "s")).isEqualTo("*2\r\n$-1\r\n$4\r\ntext\r\n");
        assertThat(read(Op.HGET, "h", "f")).isEqualTo("$1\r\n1\r\n");
        assertThat(write(Op.SET, "h", "now a string")).isEqualTo("+OK\r\n");
        assertThat(read(Op.TYPE, "h")).isEqualTo("+string\r\n");
        assertThat(write(Op.DEL, "h", "s")).isEqualTo(":2\r\n");
    }

    @Test
    void keysMatchesGlobsAndScanVisitsEveryKeyInBoundedSteps() {
        for (int i = 0; i < 500; i++) {
            write(Op.SET, "user:" + i, "v");
        }
        write(Op.HSET, "user:hash", "f", "v");
        write(Op.SET, "other", "v");
        assertThat(elements(read(Op.KEYS, "user:1?"))).hasSize(10);
        assertThat(elements(read(Op.KEYS, "*"))).hasSize(502);
        assertThat(elements(read(Op.KEYS, "o[tx]her"))).containsExactly("other");

        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int calls = 0;
        do {
            String reply = str(sm.query(new KvCommand(Op.SCAN, KvCommand.SCAN_MATCH, List.of(KvCommand.longBytes(cursor),
                    KvCommand.longBytes(20), b("user:*"))).encode()));
            List<String> parts = elements(reply);
            cursor = Long.parseLong(parts.get(0));
            List<String> keys = parts.subList(1, parts.size());
            assertThat(keys.size()).isLessThanOrEqualTo(20);
            assertThat(keys).allMatch(k -> k.startsWith("user:"));
            keys.forEach(k -> assertThat(seen.add(k)).as("%s twice", k).isTrue());
            calls++;
        } while (cursor != 0);
        assertThat(seen).hasSize(501);
        assertThat(calls).isGreaterThanOrEqualTo(502 / 20);

        String hashesOnly = str(sm.query(new KvCommand(Op.SCAN, KvCommand.SCAN_TYPE, List.of(KvCommand.longBytes(0),
                KvCommand.longBytes(10_000), b("hash"))).encode()));
        assertThat(elements(hashesOnly)).containsExactly("0", "user:hash");
        String bad = str(sm.query(new KvCommand(Op.SCAN, 0, List.of(KvCommand.longBytes(1L << 50),
                KvCommand.longBytes(10))).encode()));
        assertThat(bad).isEqualTo("-ERR invalid cursor\r\n");
    }

    @Test
    void aTransactionRunsItsCommandsAtomicallyWithReadsAndErrorsInPlace() {
        write(Op.SET, "s", "1");
        write(Op.HSET, "h", "f", "v");
        String reply = exec(List.of(),
                KvCommand.incrBy(b("s"), 5),
                KvCommand.of(Op.GET, b("s")),
                KvCommand.of(Op.GET, b("h")),
                KvCommand.of(Op.HSET, b("h"), b("g"), b("w")),
                KvCommand.of(Op.HLEN, b("h")));
        assertThat(reply).isEqualTo("*5\r\n:6\r\n$1\r\n6\r\n" + WRONGTYPE + ":1\r\n:2\r\n");
        assertThat(exec(List.of(), KvCommand.of(Op.DIGEST)))
                .isEqualTo("*1\r\n-ERR DIGEST is not allowed in a transaction\r\n");
    }

    @Test
    void aTransactionWhoseWatchedKeyChangedRunsNothing() {
        write(Op.SET, "w", "1");
        OptionalLong watched = fingerprint("w");
        OptionalLong absent = fingerprint("nope");
        assertThat(absent).isEmpty();

        assertThat(exec(List.of(new Transaction.Watch(b("w"), watched), new Transaction.Watch(b("nope"), absent)),
                KvCommand.of(Op.SET, b("x"), b("ran")))).isEqualTo("*1\r\n+OK\r\n");

        write(Op.SET, "w", "2");
        assertThat(exec(List.of(new Transaction.Watch(b("w"), watched)), KvCommand.of(Op.SET, b("x"), b("again"))))
                .isEqualTo("*-1\r\n");
        write(Op.SET, "nope", "created");
        assertThat(exec(List.of(new Transaction.Watch(b("nope"), absent)), KvCommand.of(Op.DEL, b("x"))))
                .isEqualTo("*-1\r\n");
        assertThat(read(Op.GET, "x")).isEqualTo("$3\r\nran\r\n");
        // A hash's fingerprint changes with any field.
        write(Op.HSET, "h", "a", "1");
        OptionalLong hash = fingerprint("h");
        write(Op.HSET, "h", "b", "2");
        assertThat(fingerprint("h")).isNotEqualTo(hash);
    }

    @Test
    void hashesSurviveASnapshotAndTheStringOnlyFormatStillRestores() throws IOException {
        write(Op.HSET, "h", "a", "1", "b", "2");
        write(Op.SET, "s", "v");
        String digest = read(Op.DIGEST);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sm.takeSnapshot().writeTo(out);
        KvStateMachine restored = new KvStateMachine();
        restored.restoreSnapshot(new ByteArrayInputStream(out.toByteArray()));
        assertThat(str(restored.query(KvCommand.of(Op.DIGEST).encode()))).isEqualTo(digest);
        assertThat(str(restored.query(KvCommand.of(Op.HGET, b("h"), b("b")).encode()))).isEqualTo("$1\r\n2\r\n");

        // KVS2: strings only, then the members' client addresses (read and dropped).
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        java.io.DataOutputStream data = new java.io.DataOutputStream(bytes);
        data.writeInt(0x4b565332);
        data.writeLong(1);
        data.writeInt(1);
        data.write('k');
        data.writeInt(1);
        data.write('v');
        data.writeInt(1);
        data.writeUTF("n1");
        data.writeUTF("h:1");
        data.flush();
        KvStateMachine old = new KvStateMachine();
        old.restoreSnapshot(new ByteArrayInputStream(bytes.toByteArray()));
        assertThat(str(old.query(KvCommand.of(Op.GET, b("k")).encode()))).isEqualTo("$1\r\nv\r\n");
    }

    private OptionalLong fingerprint(String key) {
        String reply = read(Op.FINGERPRINT, key);
        return reply.equals("*1\r\n$-1\r\n") ? OptionalLong.empty()
                : OptionalLong.of(Long.parseLong(reply.substring(reply.indexOf(':') + 1).trim()));
    }

    private String exec(List<Transaction.Watch> watches, KvCommand... commands) {
        List<byte[]> encoded = Arrays.stream(commands).map(KvCommand::encode).toList();
        return str(sm.apply(at(++index), Transaction.exec(watches, encoded).encode()));
    }

    private String write(Op op, String... args) {
        return write(0, op, args);
    }

    private String write(int flags, Op op, String... args) {
        return str(sm.apply(at(++index), new KvCommand(op, flags, Arrays.stream(args).map(KvTypesStateMachineTest::b)
                .toList()).encode()));
    }

    private String write(Op op, String key, String field, long delta) {
        return str(sm.apply(at(++index), KvCommand.of(op, b(key), b(field), KvCommand.longBytes(delta)).encode()));
    }

    private String read(Op op, String... args) {
        return str(sm.query(new KvCommand(op, 0, Arrays.stream(args).map(KvTypesStateMachineTest::b).toList())
                .encode()));
    }

    /** The bulk strings of a reply, in order, at any nesting. */
    private static List<String> elements(String reply) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\$(\\d+)\r\n").matcher(reply);
        int from = 0;
        while (m.find(from)) {
            int len = Integer.parseInt(m.group(1));
            out.add(reply.substring(m.end(), m.end() + len));
            from = m.end() + len + 2;
        }
        return out;
    }

    private static List<String> pairs(String reply) {
        List<String> e = elements(reply);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < e.size(); i += 2) {
            out.add(e.get(i) + "=" + e.get(i + 1));
        }
        return out;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A log entry's context: index {@code i}, applied at a fixed log time. */
    static ApplyContext at(long i) {
        return ApplyContext.of(i, 1_700_000_000_000L);
    }
}
