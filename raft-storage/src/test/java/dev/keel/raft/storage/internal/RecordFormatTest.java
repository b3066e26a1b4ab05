package dev.keel.raft.storage.internal;

import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.LogEntry;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordFormatTest {
    private final CRC32C crc = new CRC32C();

    @Test
    void recordsEncodedBackToBackInADirectBufferDecodeWithTheirChecksums() {
        ByteBuffer buf = ByteBuffer.allocateDirect(4096);
        buf.put(new byte[7]); // records do not start at offset 0 in the write buffer
        LogEntry a = LogEntry.command(41, 3, "first".getBytes(StandardCharsets.UTF_8));
        LogEntry b = LogEntry.command(42, 3, new byte[300]);
        RecordFormat.encode(a, buf, crc);
        int afterA = buf.position();
        RecordFormat.encode(b, buf, crc);

        assertThat(afterA).isEqualTo(7 + RecordFormat.recordSize(a));
        assertThat(buf.position()).isEqualTo(afterA + RecordFormat.recordSize(b));
        assertThat(buf.limit()).isEqualTo(4096);
        ByteBuffer read = buf.flip().position(7);
        assertThat(RecordFormat.decode(read.slice(7, afterA - 7), 41, crc, "test").data())
                .isEqualTo(a.data());
        assertThat(RecordFormat.decode(read.slice(afterA, buf.limit() - afterA), 42, crc, "test").data())
                .isEqualTo(b.data());
    }

    @Test
    void aHeaderWrittenAloneChecksumsThePayloadWrittenAfterIt() {
        LogEntry e = LogEntry.command(9, 2, "payload written separately".getBytes(StandardCharsets.UTF_8));
        ByteBuffer header = ByteBuffer.allocateDirect(64);
        RecordFormat.encodeHeader(e, header, crc);
        assertThat(header.position()).isEqualTo(RecordFormat.HEADER_BYTES);
        ByteBuffer record = ByteBuffer.allocate(RecordFormat.recordSize(e));
        record.put(header.flip()).put(e.data()).flip();

        assertThat(RecordFormat.decode(record.duplicate(), 9, crc, "test").data()).isEqualTo(e.data());
        record.put(RecordFormat.HEADER_BYTES + 3, (byte) 'X');
        assertThatThrownBy(() -> RecordFormat.decode(record.duplicate(), 9, crc, "test"))
                .isInstanceOf(StorageException.class).hasMessageContaining("checksum mismatch");
    }
}
