package dev.keel.raft.examples.kv.store;

import java.util.Objects;

/**
 * The value a key holds: a string or a hash. Immutable, like the maps holding them; a change makes a new value.
 */
public sealed interface KvValue {
    /** The type's name as {@code TYPE} reports it. */
    String typeName();

    /** A byte string ({@code SET}, {@code APPEND}, {@code INCR}). Callers must not modify the array. */
    record Str(byte[] bytes) implements KvValue {
        public Str {
            Objects.requireNonNull(bytes, "bytes");
        }

        @Override
        public String typeName() {
            return "string";
        }
    }

    /** A hash: fields to byte-string values ({@code HSET}); never empty in the keyspace (Redis drops empty hashes). */
    record Hash(HashTrieMap<byte[]> fields) implements KvValue {
        public Hash {
            Objects.requireNonNull(fields, "fields");
        }

        @Override
        public String typeName() {
            return "hash";
        }
    }
}
