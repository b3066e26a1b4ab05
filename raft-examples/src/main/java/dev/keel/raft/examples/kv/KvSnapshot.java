package dev.keel.raft.examples.kv;


import dev.keel.raft.examples.kv.store.ByteKey;
import dev.keel.raft.examples.kv.store.HashTrieMap;
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
 * <p>Format: the magic {@code KVS1}, the entry count (8 bytes), then per entry the key's and the value's length
 * (4 bytes each, big-endian) followed by their bytes. {@code KVS2} (written while members announced their client
 * addresses for forwarding over RESP) adds the members' addresses: their count (4 bytes) and per member its id and
 * address, each as a 2-byte length and UTF-8 bytes; they are read and dropped. Keel adds its own part (log time,
 * client sessions), the checksum and the metadata around it.
 */
final class KvSnapshot implements StateSnapshot {
    private static final int MAGIC = 0x4b565331; // "KVS1"
    private static final int MAGIC_WITH_PEERS = 0x4b565332; // "KVS2"
    private static final int BUFFER = 64 * 1024;

    private final HashTrieMap frozen;

    /** What a snapshot restores. */
    record State(HashTrieMap data) {
    }

    KvSnapshot(HashTrieMap frozen) {
        this.frozen = frozen;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out, BUFFER));
        data.writeInt(MAGIC);
        data.writeLong(frozen.size());
        try {
            frozen.forEach((k, v) -> {
                try {
                    data.writeInt(k.bytes().length);
                    data.write(k.bytes());
                    data.writeInt(v.length);
                    data.write(v);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        data.flush();
    }

    /** Reads a snapshot written by {@link #writeTo} (or by the version before it). */
    static State read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(new BufferedInputStream(in, BUFFER));
        int magic = data.readInt();
        if (magic != MAGIC && magic != MAGIC_WITH_PEERS) {
            throw new IOException("not a KV snapshot: magic " + Integer.toHexString(magic));
        }
        long count = data.readLong();
        if (count < 0 || count > Integer.MAX_VALUE) {
            throw new IOException("bad entry count " + count + " in KV snapshot");
        }
        HashTrieMap map = HashTrieMap.EMPTY;
        for (long i = 0; i < count; i++) {
            byte[] key = readBytes(data, "key", i);
            byte[] value = readBytes(data, "value", i);
            map = map.put(ByteKey.of(key), value);
        }
        if (map.size() != count) {
            throw new IOException("KV snapshot holds duplicate keys: " + count + " entries, " + map.size() + " keys");
        }
        if (magic == MAGIC_WITH_PEERS) {
            int n = data.readInt();
            if (n < 0 || n > 65_536) {
                throw new IOException("bad member count " + n + " in KV snapshot");
            }
            for (int i = 0; i < n; i++) {
                data.readUTF();
                data.readUTF();
            }
        }
        if (data.read() != -1) {
            throw new IOException("KV snapshot has bytes after its " + count + " entries");
        }
        return new State(map);
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
