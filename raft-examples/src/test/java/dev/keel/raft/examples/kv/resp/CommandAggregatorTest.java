package dev.keel.raft.examples.kv.resp;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.redis.RedisCodecException;
import io.netty.handler.codec.redis.FixedRedisMessagePool;
import io.netty.handler.codec.redis.RedisDecoder;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandAggregatorTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new RedisDecoder(1024, FixedRedisMessagePool.INSTANCE, true), new CommandAggregator(16, 64));

    @Test
    void anArrayOfBulkStringsBecomesOneCommand() {
        send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n");
        assertThat(args(channel.readInbound())).containsExactly("SET", "k", "value");
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void aCommandSplitAcrossReadsIsAssembledOnceComplete() {
        String cmd = "*2\r\n$4\r\nECHO\r\n$10\r\n0123456789\r\n";
        for (int i = 0; i < cmd.length(); i++) {
            send(cmd.substring(i, i + 1));
        }
        assertThat(args(channel.readInbound())).containsExactly("ECHO", "0123456789");
    }

    @Test
    void pipelinedCommandsComeOutInOrder() {
        send("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\nPING hello\r\n");
        assertThat(args(channel.readInbound())).containsExactly("PING");
        assertThat(args(channel.readInbound())).containsExactly("GET", "a");
        assertThat(args(channel.readInbound())).containsExactly("PING", "hello");
    }

    @Test
    void anOversizedArgumentIsDiscardedAndTheConnectionGoesOn() {
        send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$17\r\n0123456789abcdefg\r\n");
        RespRequest rejected = channel.readInbound();
        assertThat(rejected.rejection()).contains("17 bytes exceeds max_value_bytes (16)");
        send("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        assertThat(args(channel.readInbound())).containsExactly("GET", "k");
    }

    @Test
    void anOversizedArgumentArrivingInPiecesIsDiscardedToo() {
        send("*2\r\n$4\r\nECHO\r\n$40\r\n01234567890123456789");
        send("01234567890123456789\r\n*1\r\n$4\r\nPING\r\n");
        assertThat(((RespRequest) channel.readInbound()).rejection()).contains("40 bytes");
        assertThat(args(channel.readInbound())).containsExactly("PING");
    }

    @Test
    void emptyArraysAreIgnoredAsRedisDoes() {
        send("*0\r\n*1\r\n$4\r\nPING\r\n");
        assertThat(args(channel.readInbound())).containsExactly("PING");
    }

    @Test
    void aReplyTypeWhereACommandShouldBeIsAProtocolError() {
        assertThatThrownBy(() -> send("*2\r\n$3\r\nGET\r\n:1\r\n")).isInstanceOf(RedisCodecException.class)
                .hasMessageContaining("Protocol error");
    }

    @Test
    void aNestedArrayIsAProtocolError() {
        assertThatThrownBy(() -> send("*2\r\n*1\r\n$3\r\nGET\r\n")).isInstanceOf(RedisCodecException.class)
                .hasMessageContaining("nested array");
    }

    private void send(String s) {
        channel.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
        channel.checkException();
    }

    private static List<String> args(RespRequest r) {
        assertThat(r).isNotNull();
        assertThat(r.rejection()).isNull();
        return r.args().stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }
}
