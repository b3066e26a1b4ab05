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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KvStateMachineTest {
    private final KvStateMachine sm = new KvStateMachine();
    private long index;

    @Test
    void setThenGetReturnsTheValueAndMissingKeysAreNil() {
        assertThat(write(Op.SET, 0, "k", "v")).isEqualTo("+OK\r\n");
        assertThat(read(Op.GET, "k")).isEqualTo("$1\r\nv\r\n");
        assertThat(read(Op.GET, "missing")).isEqualTo("$-1\r\n");
        assertThat(read(Op.MGET, "k", "missing", "k")).isEqualTo("*3\r\n$1\r\nv\r\n$-1\r\n$1\r\nv\r\n");
        assertThat(read(Op.EXISTS, "k", "missing", "k")).isEqualTo(":2\r\n");
    }

    @Test
    void setNxWritesOnlyAbsentKeysAndXxOnlyPresentOnes() {
        assertThat(write(Op.SET, KvCommand.SET_XX, "k", "a")).isEqualTo("$-1\r\n");
        assertThat(read(Op.GET, "k")).isEqualTo("$-1\r\n");
        assertThat(write(Op.SET, KvCommand.SET_NX, "k", "a")).isEqualTo("+OK\r\n");
        assertThat(write(Op.SET, KvCommand.SET_NX, "k", "b")).isEqualTo("$-1\r\n");
        assertThat(write(Op.SET, KvCommand.SET_XX, "k", "c")).isEqualTo("+OK\r\n");
        assertThat(read(Op.GET, "k")).isEqualTo("$1\r\nc\r\n");
    }

    @Test
    void setGetReturnsTheOldValueWhetherOrNotItWrites() {
        assertThat(write(Op.SET, KvCommand.SET_GET, "k", "a")).isEqualTo("$-1\r\n");
        assertThat(write(Op.SET, KvCommand.SET_GET, "k", "b")).isEqualTo("$1\r\na\r\n");
        assertThat(write(Op.SET, KvCommand.SET_GET | KvCommand.SET_NX, "k", "c")).isEqualTo("$1\r\nb\r\n");
        assertThat(read(Op.GET, "k")).isEqualTo("$1\r\nb\r\n");
    }

    @Test
    void delCountsTheKeysItRemoved() {
        write(Op.SET, 0, "a", "1");
        write(Op.SET, 0, "b", "2");
        assertThat(write(Op.DEL, 0, "a", "b", "a", "c")).isEqualTo(":2\r\n");
        assertThat(read(Op.EXISTS, "a", "b")).isEqualTo(":0\r\n");
    }

    @Test
    void incrByCountsFromZeroAndRefusesNonNumbersAndOverflow() {
        assertThat(incrBy("n", 5)).isEqualTo(":5\r\n");
        assertThat(incrBy("n", -7)).isEqualTo(":-2\r\n");
        assertThat(read(Op.GET, "n")).isEqualTo("$2\r\n-2\r\n");
        write(Op.SET, 0, "text", "abc");
        assertThat(incrBy("text", 1)).isEqualTo("-ERR value is not an integer or out of range\r\n");
        write(Op.SET, 0, "big", Long.toString(Long.MAX_VALUE));
        assertThat(incrBy("big", 1)).isEqualTo("-ERR increment or decrement would overflow\r\n");
        assertThat(read(Op.GET, "big")).isEqualTo("$19\r\n" + Long.MAX_VALUE + "\r\n");
    }

    @Test
    void casSwapsOnlyWhenTheCurrentValueIsTheExpectedOne() {
        assertThat(write(Op.CAS, 0, "k", "a", "b")).isEqualTo(":0\r\n");
        write(Op.SET, 0, "k", "a");
        assertThat(write(Op.CAS, 0, "k", "x", "b")).isEqualTo(":0\r\n");
        assertThat(write(Op.CAS, 0, "k", "a", "b")).isEqualTo(":1\r\n");
        assertThat(read(Op.GET, "k")).isEqualTo("$1\r\nb\r\n");
    }

    @Test
    void aWriteBatchAppliesItsCommandsInOrderAndFramesTheirReplies() {
        byte[] batch = new KvCommand(Op.WRITE_BATCH, 0, List.of(
                KvCommand.of(Op.SET, b("k"), b("1")).encode(),
                KvCommand.incrBy(b("k"), 5).encode(),
                new byte[] {99, 0},
                KvCommand.of(Op.SET, b("k"), b("x"), b("extra")).encode(),
                KvCommand.of(Op.DEL, b("k")).encode())).encode();
        List<byte[]> replies = Batch.split(sm.apply(at(++index), batch), 5);
        assertThat(replies.stream().map(KvStateMachineTest::str)).containsExactly(
                "+OK\r\n", ":6\r\n", "-ERR malformed command in log entry 1: unknown operation code 99\r\n",
                "-ERR wrong number of arguments for SET (3)\r\n", ":1\r\n");
    }

    @Test
    void aReadBatchAnswersEveryQueryAtTheSameState() {
        write(Op.SET, 0, "a", "1");
        byte[] batch = new KvCommand(Op.READ_BATCH, 0, List.of(
                KvCommand.of(Op.GET, b("a")).encode(),
                KvCommand.of(Op.EXISTS, b("a"), b("b")).encode(),
                KvCommand.of(Op.SET, b("a"), b("2")).encode())).encode();
        assertThat(Batch.split(sm.query(batch), 3).stream().map(KvStateMachineTest::str)).containsExactly(
                "$1\r\n1\r\n", ":1\r\n", "-ERR SET is not a single read\r\n");
    }

    @Test
    void malformedCommandsGetAnErrorReplyInsteadOfStoppingTheNode() {
        assertThat(str(sm.apply(at(++index), new byte[] {99, 0}))).startsWith("-ERR malformed command");
        assertThat(str(sm.apply(at(++index), new byte[] {1, 0, 0, 0, 0, 9}))).startsWith("-ERR malformed command");
        assertThat(str(sm.apply(at(++index), KvCommand.of(Op.SET, b("only-key")).encode())))
                .startsWith("-ERR wrong number of arguments");
        assertThat(str(sm.apply(at(++index), KvCommand.of(Op.GET, b("k")).encode()))).startsWith("-ERR GET in log entry");
        assertThat(str(sm.query(KvCommand.of(Op.DEL, b("k")).encode()))).startsWith("-ERR DEL is not a single read");
    }

    @Test
    void aSnapshotKeepsTheStateAsOfWhenItWasTakenAndRestoresIt() throws IOException {
        for (int i = 0; i < 1000; i++) {
            write(Op.SET, 0, "key" + i, "value" + i);
        }
        var snapshot = sm.takeSnapshot();
        write(Op.SET, 0, "key0", "changed after the snapshot");
        write(Op.DEL, 0, "key1");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        snapshot.writeTo(out);
        snapshot.close();

        KvStateMachine restored = new KvStateMachine();
        restored.restoreSnapshot(new ByteArrayInputStream(out.toByteArray()));
        assertThat(restored.keyCount()).isEqualTo(1000);
        assertThat(str(restored.query(KvCommand.of(Op.GET, b("key0")).encode()))).isEqualTo("$6\r\nvalue0\r\n");
        assertThat(str(restored.query(KvCommand.of(Op.GET, b("key1")).encode()))).isEqualTo("$6\r\nvalue1\r\n");
        assertThat(str(restored.query(KvCommand.of(Op.GET, b("key999")).encode()))).isEqualTo("$8\r\nvalue999\r\n");
    }

    @Test
    void aPeerEntryFromAnOldLogChangesNothingAndASnapshotWithMemberAddressesStillRestores() throws IOException {
        // Code 5 was PEER (client addresses replicated for forwarding over RESP): an old log's entry is an error now.
        byte[] peer = new KvCommand(Op.SET, 0, List.of(b("n4"), b("h4:6379"))).encode();
        peer[0] = 5;
        assertThat(str(sm.apply(at(1), peer))).startsWith("-ERR malformed command");
        assertThat(sm.keyCount()).isZero();
        // KVS2: the entries, then the members' client addresses, which are read and dropped.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        java.io.DataOutputStream data = new java.io.DataOutputStream(bytes);
        data.writeInt(0x4b565332);
        data.writeLong(1);
        data.writeInt(1);
        data.write('k');
        data.writeInt(1);
        data.write('v');
        data.writeInt(1);
        data.writeUTF("n4");
        data.writeUTF("h4:6379");
        data.flush();
        KvStateMachine restored = new KvStateMachine();
        restored.restoreSnapshot(new ByteArrayInputStream(bytes.toByteArray()));
        assertThat(str(restored.query(KvCommand.of(Op.GET, b("k")).encode()))).isEqualTo("$1\r\nv\r\n");
    }

    @Test
    void aSnapshotOfTheFormatBeforeMemberAddressesStillRestores() throws IOException {
        // KVS1: magic, entry count, then key and value with 4-byte lengths; nothing after.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        java.io.DataOutputStream data = new java.io.DataOutputStream(bytes);
        data.writeInt(0x4b565331);
        data.writeLong(1);
        data.writeInt(1);
        data.write('k');
        data.writeInt(1);
        data.write('v');
        data.flush();
        KvStateMachine restored = new KvStateMachine();
        restored.restoreSnapshot(new ByteArrayInputStream(bytes.toByteArray()));
        assertThat(str(restored.query(KvCommand.of(Op.GET, b("k")).encode()))).isEqualTo("$1\r\nv\r\n");
    }

    @Test
    void aTruncatedOrForeignSnapshotIsRefused() throws IOException {
        write(Op.SET, 0, "k", "v");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sm.takeSnapshot().writeTo(out);
        byte[] full = out.toByteArray();
        assertThatThrownBy(() -> new KvStateMachine().restoreSnapshot(
                new ByteArrayInputStream(Arrays.copyOf(full, full.length - 1)))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> new KvStateMachine().restoreSnapshot(
                new ByteArrayInputStream("not a snapshot".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(IOException.class).hasMessageContaining("not a KV snapshot");
    }

    @Test
    void digestCountsKeysAndIsTheSameForTheSameContentReachedInAnotherOrder() {
        KvStateMachine other = new KvStateMachine();
        write(Op.SET, 0, "a", "1");
        write(Op.SET, 0, "b", "2");
        write(Op.SET, 0, "c", "x");
        write(Op.DEL, 0, "c");
        other.apply(at(1), KvCommand.of(Op.SET, b("b"), b("2")).encode());
        other.apply(at(2), KvCommand.of(Op.SET, b("a"), b("0")).encode());
        other.apply(at(3), KvCommand.of(Op.CAS, b("a"), b("0"), b("1")).encode());
        String digest = read(Op.DIGEST);
        assertThat(digest).startsWith("*2\r\n$1\r\n2\r\n$16\r\n");
        assertThat(str(other.query(KvCommand.of(Op.DIGEST).encode()))).isEqualTo(digest);

        other.apply(at(4), KvCommand.of(Op.SET, b("b"), b("3")).encode());
        assertThat(str(other.query(KvCommand.of(Op.DIGEST).encode()))).isNotEqualTo(digest);
        // Same bytes split differently between key and value is different content.
        KvStateMachine split = new KvStateMachine();
        split.apply(at(1), KvCommand.of(Op.SET, b("a1"), b("")).encode());
        KvStateMachine joined = new KvStateMachine();
        joined.apply(at(1), KvCommand.of(Op.SET, b("a"), b("1")).encode());
        assertThat(str(split.query(KvCommand.of(Op.DIGEST).encode())))
                .isNotEqualTo(str(joined.query(KvCommand.of(Op.DIGEST).encode())));
        assertThat(read(Op.DIGEST, "extra")).startsWith("-ERR wrong number of arguments");
    }

    private String write(Op op, int flags, String... args) {
        return str(sm.apply(at(++index), new KvCommand(op, flags, Arrays.stream(args).map(KvStateMachineTest::b).toList())
                .encode()));
    }

    private String incrBy(String key, long delta) {
        return str(sm.apply(at(++index), KvCommand.incrBy(b(key), delta).encode()));
    }

    private String read(Op op, String... args) {
        return str(sm.query(new KvCommand(op, 0, List.of(Arrays.stream(args).map(KvStateMachineTest::b)
                .toArray(byte[][]::new))).encode()));
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
