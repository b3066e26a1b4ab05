package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.store.HashTrieMap;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A fingerprint of the whole KV state, so that replicas can be compared without reading every key through the
 * protocol: the key count and the sum (mod 2^64) of a SHA-256-derived hash of every key-value pair. The sum does not
 * depend on the order the map is walked in, which may differ between replicas that reached the same content through
 * different histories (snapshot restore versus log replay).
 *
 * <p>Computing it walks every entry on the applier thread: O(keys), meant for tests and diagnostics, not for a hot
 * path.
 *
 * @param keys   how many keys the state holds
 * @param digest 16 hex digits
 */
public record KvDigest(int keys, String digest) {

    /** The digest of {@code data}. */
    public static KvDigest of(HashTrieMap data) {
        MessageDigest sha = sha256();
        long[] sum = {0};
        data.forEach((key, value) -> {
            byte[] k = key.bytes();
            // Lengths first, so that ("ab", "c") and ("a", "bc") hash differently.
            sha.update(ByteBuffer.allocate(8).putInt(k.length).putInt(value.length).array());
            sha.update(k);
            sha.update(value);
            sum[0] += ByteBuffer.wrap(sha.digest()).getLong();
        });
        return new KvDigest(data.size(), HexFormat.of().toHexDigits(sum[0]));
    }

    /** The RESP reply: an array of two bulk strings, the key count and the digest. */
    public byte[] reply() {
        return Replies.bulkArray(List.of(Integer.toString(keys).getBytes(StandardCharsets.US_ASCII),
                digest.getBytes(StandardCharsets.US_ASCII)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
