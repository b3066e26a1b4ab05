package dev.keel.raft.statemachine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * Turns values of one type into bytes and back, for commands, queries and results that travel through the log and
 * between servers (see {@link Protocol}). No library needed: write one with {@link #of}, or use the few given here.
 *
 * <p>Implementations must be deterministic and thread-safe, and {@code decode(encode(v))} must equal {@code v}. A
 * command the state machine's side cannot decode stops the server, as any exception from
 * {@link StateMachine#apply} does: decode only what the same codec encoded.
 *
 * @param <T> the type of the values
 */
public interface Codec<T> {

    /** The bytes for {@code value}. */
    byte[] encode(T value);

    /**
     * The value {@code bytes} stand for.
     *
     * @throws IllegalArgumentException if they are not the encoding of a value
     */
    T decode(byte[] bytes);

    /** A codec from two functions. */
    static <T> Codec<T> of(Function<? super T, byte[]> encoder, Function<byte[], ? extends T> decoder) {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(decoder, "decoder");
        return new Codec<>() {
            @Override
            public byte[] encode(T value) {
                return encoder.apply(value);
            }

            @Override
            public T decode(byte[] bytes) {
                return decoder.apply(bytes);
            }
        };
    }

    /** A codec for values of another type, converted to and from this one's. */
    default <U> Codec<U> map(Function<? super U, ? extends T> to, Function<? super T, ? extends U> from) {
        Codec<T> self = this;
        return of(u -> self.encode(to.apply(u)), b -> from.apply(self.decode(b)));
    }

    /** Strings as UTF-8. */
    static Codec<String> utf8() {
        return of(s -> s.getBytes(StandardCharsets.UTF_8), b -> new String(b, StandardCharsets.UTF_8));
    }

    /** Longs as 8 bytes, big-endian. */
    static Codec<Long> int64() {
        return of(v -> ByteBuffer.allocate(Long.BYTES).putLong(v).array(), b -> {
            if (b.length != Long.BYTES) {
                throw new IllegalArgumentException("a long is 8 bytes, got " + b.length);
            }
            return ByteBuffer.wrap(b).getLong();
        });
    }

    /** Bytes as they are (not copied). */
    static Codec<byte[]> bytes() {
        return of(b -> b, b -> b);
    }
}
