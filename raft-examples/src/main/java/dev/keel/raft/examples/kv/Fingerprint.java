package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.store.KvValue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A 64-bit fingerprint of a value's type and content (from SHA-256), which WATCH records and EXEC compares: a
 * transaction goes ahead only if every watched key still holds what it held when watched.
 *
 * <p>Content, not a modification counter, on purpose: it is the same on every replica however the replica got its
 * state (log replay or a snapshot), so every replica decides alike whether a transaction runs. Unlike Redis, a key
 * written back to the very value it had (or deleted and re-created equal) does not abort the transaction; the
 * transaction's reads are still exactly what it would read at EXEC, which is what optimistic locking protects.
 */
final class Fingerprint {
    private Fingerprint() {
    }

    static long of(KvValue value) {
        return of(value, 0);
    }

    /** The fingerprint of a value with its expiry time (0: none); a new expiry is a change, as in Redis. */
    static long of(KvValue value, long expireAt) {
        MessageDigest sha = sha256();
        if (expireAt != 0) {
            sha.update((byte) 'x');
            sha.update(ByteBuffer.allocate(8).putLong(expireAt).array());
        }
        if (value instanceof KvValue.Str s) {
            sha.update((byte) 's');
            sha.update(s.bytes());
        } else {
            KvValue.Hash h = (KvValue.Hash) value;
            // Fields in no particular order: the sum of each field's own hash does not depend on it.
            long[] sum = {0};
            h.fields().forEach((f, v) -> sum[0] += pair(f.bytes(), v));
            sha.update((byte) 'h');
            sha.update(ByteBuffer.allocate(12).putInt(h.fields().size()).putLong(sum[0]).array());
        }
        return ByteBuffer.wrap(sha.digest()).getLong();
    }

    /** A 64-bit hash of a (key, value) pair, lengths included so that ("ab", "c") and ("a", "bc") differ. */
    static long pair(byte[] key, byte[] value) {
        MessageDigest sha = sha256();
        sha.update(ByteBuffer.allocate(8).putInt(key.length).putInt(value.length).array());
        sha.update(key);
        sha.update(value);
        return ByteBuffer.wrap(sha.digest()).getLong();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
