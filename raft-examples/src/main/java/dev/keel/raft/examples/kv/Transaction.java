package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.store.KvValue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A MULTI/EXEC transaction as one log entry ({@link Op#EXEC}): the watched keys with the fingerprints their values had
 * when watched, then the queued commands. Applied in one step on the applier thread, so no other command runs between
 * its commands, on any replica; if a watched key changed, none runs and the reply is the null array, as in Redis.
 */
public final class Transaction {
    /** EXEC's reply when a watched key changed. */
    public static final byte[] ABORTED = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);

    /** A watched key and its value's {@link Fingerprint} when watched (empty if the key did not exist). */
    public record Watch(byte[] key, OptionalLong fingerprint) {
    }

    private Transaction() {
    }

    /** The EXEC command for these watches and encoded commands. */
    public static KvCommand exec(List<Watch> watches, List<byte[]> commands) {
        List<byte[]> args = new ArrayList<>(commands.size() + 1);
        args.add(encodeWatches(watches));
        args.addAll(commands);
        return new KvCommand(Op.EXEC, 0, args);
    }

    /** Each watch as the key's length (4 bytes), the key, a presence byte and, if present, the fingerprint. */
    static byte[] encodeWatches(List<Watch> watches) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Watch w : watches) {
            out.writeBytes(ByteBuffer.allocate(4).putInt(w.key().length).array());
            out.writeBytes(w.key());
            if (w.fingerprint().isPresent()) {
                out.write(1);
                out.writeBytes(KvCommand.longBytes(w.fingerprint().getAsLong()));
            } else {
                out.write(0);
            }
        }
        return out.toByteArray();
    }

    /** @throws IllegalArgumentException if the bytes are not what {@link #encodeWatches} writes */
    static List<Watch> decodeWatches(byte[] encoded) {
        ByteBuffer buf = ByteBuffer.wrap(encoded);
        List<Watch> watches = new ArrayList<>();
        while (buf.hasRemaining()) {
            int len = buf.remaining() >= 4 ? buf.getInt() : -1;
            if (len < 0 || len + 1 > buf.remaining()) {
                throw new IllegalArgumentException("malformed watch list");
            }
            byte[] key = new byte[len];
            buf.get(key);
            byte present = buf.get();
            if (present == 1 && buf.remaining() >= 8) {
                watches.add(new Watch(key, OptionalLong.of(buf.getLong())));
            } else if (present == 0) {
                watches.add(new Watch(key, OptionalLong.empty()));
            } else {
                throw new IllegalArgumentException("malformed watch list");
            }
        }
        return watches;
    }

    /** Whether every watched key still holds what it held when watched. */
    static boolean watchesHold(Keyspace ks, List<Watch> watches) {
        for (Watch w : watches) {
            KvValue v = ks.get(w.key());
            OptionalLong now = v == null ? OptionalLong.empty()
                    : OptionalLong.of(Fingerprint.of(v, ks.expireAt(w.key())));
            if (!now.equals(w.fingerprint())) {
                return false;
            }
        }
        return true;
    }
}
