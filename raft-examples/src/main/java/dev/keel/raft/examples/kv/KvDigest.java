package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.store.HashTrieMap;
import dev.keel.raft.examples.kv.store.KvValue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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

    /** The digest of {@code data} without expiry times. */
    public static KvDigest of(HashTrieMap<KvValue> data) {
        return of(data, HashTrieMap.empty());
    }

    /** The digest of {@code data} and the keys' expiry times. */
    public static KvDigest of(HashTrieMap<KvValue> data, HashTrieMap<Long> expires) {
        long[] sum = {0};
        expires.forEach((key, at) -> sum[0] += Fingerprint.pair(key.bytes(),
                ByteBuffer.allocate(9).put((byte) 'x').putLong(at).array()));
        data.forEach((key, value) -> {
            // A string counts as its bytes (as before hashes existed, so digests of string-only states are unchanged);
            // a hash as a marker and its fingerprint.
            byte[] content = value instanceof KvValue.Str s ? s.bytes()
                    : ByteBuffer.allocate(9).put((byte) 'h').putLong(Fingerprint.of(value)).array();
            sum[0] += Fingerprint.pair(key.bytes(), content);
        });
        return new KvDigest(data.size(), HexFormat.of().toHexDigits(sum[0]));
    }

    /** The RESP reply: an array of two bulk strings, the key count and the digest. */
    public byte[] reply() {
        return Replies.bulkArray(List.of(Integer.toString(keys).getBytes(StandardCharsets.US_ASCII),
                digest.getBytes(StandardCharsets.US_ASCII)));
    }
}
