package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.store.ByteKey;
import dev.keel.raft.examples.kv.store.HashTrieMap;
import dev.keel.raft.examples.kv.store.KvValue;
import dev.keel.raft.statemachine.StateSnapshot;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * A frozen version of the KV map, written on Keel's snapshot thread while the state machine goes on applying.
 *
 * <p>Format: the magic {@code KVS5}, the entry count (8 bytes), then per entry the key (its length, 4 bytes big-endian,
 * and its bytes), a type byte and the value: for a string ({@code 0}) its length and bytes, for a hash ({@code 1}) its
 * field count (4 bytes) and per field the field's and the value's length and bytes; then the key's expiry time (8
 * bytes, milliseconds since the epoch in log time, 0 for none). Then the expiry sweep's cursor and the log time of the
 * last entry applied (8 bytes each: a restored replica's reads judge expiry no earlier than that). Older versions are
 * read too: {@code KVS4} has, before the cursor, the members' client addresses (their count, 4 bytes, and per member
 * its id and address, each as a 2-byte length and UTF-8 bytes), written while members announced them for forwarding
 * over RESP: they are read and dropped; {@code KVS3} (before expiry) has no expiry times nor cursor; {@code KVS2}
 * (before hashes) has no type byte either, every value being a string; {@code KVS1} (before members announced their
 * addresses) has no addresses either. Keel adds its own part (log time, client sessions), the checksum and the
 * metadata around it.
 */
final class KvSnapshot implements StateSnapshot {
    private static final int MAGIC_V1 = 0x4b565331; // "KVS1"
    private static final int MAGIC_V2 = 0x4b565332; // "KVS2"
    private static final int MAGIC_V3 = 0x4b565333; // "KVS3"
    private static final int MAGIC_V4 = 0x4b565334; // "KVS4"
    private static final int MAGIC = 0x4b565335; // "KVS5"
    private static final int BUFFER = 64 * 1024;
    private static final int TYPE_STRING = 0;
    private static final int TYPE_HASH = 1;

    private final State state;

    /** What a snapshot holds. */
    record State(HashTrieMap<KvValue> data, HashTrieMap<Long> expires, long sweepCursor, long logTime) {
    }

    KvSnapshot(State frozen) {
        this.state = frozen;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out, BUFFER));
        HashTrieMap<KvValue> frozen = state.data();
        HashTrieMap<Long> expires = state.expires();
        data.writeInt(MAGIC);
        data.writeLong(frozen.size());
        try {
            frozen.forEach((k, v) -> {
                try {
                    writeBytes(data, k.bytes());
                    if (v instanceof KvValue.Str str) {
                        data.writeByte(TYPE_STRING);
                        writeBytes(data, str.bytes());
                    } else {
                        HashTrieMap<byte[]> fields = ((KvValue.Hash) v).fields();
                        data.writeByte(TYPE_HASH);
                        data.writeInt(fields.size());
                        fields.forEach((f, fv) -> {
                            try {
                                writeBytes(data, f.bytes());
                                writeBytes(data, fv);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
                    }
                    Long at = expires.get(k);
                    data.writeLong(at == null ? 0 : at);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        data.writeLong(state.sweepCursor());
        data.writeLong(state.logTime());
        data.flush();
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    /** Reads a snapshot written by {@link #writeTo} (or by an earlier version). */
    static State read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(new BufferedInputStream(in, BUFFER));
        int magic = data.readInt();
        if (magic != MAGIC && magic != MAGIC_V4 && magic != MAGIC_V3 && magic != MAGIC_V2 && magic != MAGIC_V1) {
            throw new IOException("not a KV snapshot: magic " + Integer.toHexString(magic));
        }
        long count = data.readLong();
        if (count < 0 || count > Integer.MAX_VALUE) {
            throw new IOException("bad entry count " + count + " in KV snapshot");
        }
        HashTrieMap<KvValue> map = HashTrieMap.empty();
        HashTrieMap<Long> expires = HashTrieMap.empty();
        for (long i = 0; i < count; i++) {
            byte[] key = readBytes(data, "key", i);
            int type = magic == MAGIC || magic == MAGIC_V4 || magic == MAGIC_V3 ? data.readUnsignedByte() : TYPE_STRING;
            KvValue value = switch (type) {
                case TYPE_STRING -> new KvValue.Str(readBytes(data, "value", i));
                case TYPE_HASH -> readHash(data, i);
                default -> throw new IOException("unknown value type " + type + " in entry " + i + " of KV snapshot");
            };
            ByteKey k = ByteKey.of(key);
            map = map.put(k, value);
            long at = magic == MAGIC || magic == MAGIC_V4 ? data.readLong() : 0;
            if (at < 0) {
                throw new IOException("negative expiry time " + at + " in entry " + i + " of KV snapshot");
            }
            if (at != 0) {
                expires = expires.put(k, at);
            }
        }
        if (map.size() != count) {
            throw new IOException("KV snapshot holds duplicate keys: " + count + " entries, " + map.size() + " keys");
        }
        if (magic == MAGIC_V2 || magic == MAGIC_V3 || magic == MAGIC_V4) {
            int n = data.readInt();
            if (n < 0 || n > 65_536) {
                throw new IOException("bad member count " + n + " in KV snapshot");
            }
            for (int i = 0; i < n; i++) {
                data.readUTF(); // a member's id and client address: no longer kept
                data.readUTF();
            }
        }
        boolean withExpiry = magic == MAGIC || magic == MAGIC_V4;
        long cursor = withExpiry ? data.readLong() : 0;
        long logTime = withExpiry ? data.readLong() : 0;
        if (data.read() != -1) {
            throw new IOException("KV snapshot has bytes after its " + count + " entries");
        }
        return new State(map, expires, cursor, logTime);
    }

    private static KvValue.Hash readHash(DataInputStream data, long entry) throws IOException {
        int n = data.readInt();
        if (n <= 0) {
            throw new IOException("hash with " + n + " fields in entry " + entry + " of KV snapshot");
        }
        HashTrieMap<byte[]> fields = HashTrieMap.empty();
        for (int i = 0; i < n; i++) {
            fields = fields.put(ByteKey.of(readBytes(data, "field", entry)), readBytes(data, "field value", entry));
        }
        if (fields.size() != n) {
            throw new IOException("hash in entry " + entry + " of KV snapshot holds duplicate fields");
        }
        return new KvValue.Hash(fields);
    }

    private static byte[] readBytes(DataInputStream data, String what, long entry) throws IOException {
        int len = data.readInt();
        if (len < 0) {
            throw new IOException("negative " + what + " length " + len + " in entry " + entry + " of KV snapshot");
        }
        byte[] b = new byte[len];
        try {
            data.readFully(b);
        } catch (EOFException e) {
            throw new IOException("KV snapshot ends inside the " + what + " of entry " + entry, e);
        }
        return b;
    }
}
