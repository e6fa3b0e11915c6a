package io.ordo.protocol.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ordo.protocol.AllocationMeter;
import io.ordo.protocol.CorruptBatchException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The cursor's memory and bounds promises on inputs the fuzzer cannot reach within its input size:
 * records made only of headers, zstd sections in every kind of buffer, sections past the buffer.
 */
class RecordCursorBoundsTest {
  @Test
  void headerHeavyRecordsAllocateInProportionToTheirBytes() {
    int headers = 100_000;
    Header[] hs = new Header[headers];
    Header empty = new Header("", null);
    for (int i = 0; i < headers; i++) {
      hs[i] = empty;
    }
    for (Compression c : Compression.values()) {
      RecordBatchBuilder b = new RecordBatchBuilder(1 << 20);
      b.begin("s", -1, (short) 0, -1, c, false);
      assertThat(b.tryAppend(0, null, null, hs)).isTrue();
      ByteBuffer built = b.build();
      RecordBatch batch = new RecordBatch().wrap(built, 0);
      batch.validatePayload();
      int recordBytes = b.sizeInBytes() - batch.recordsOffset();
      new RecordCursor(1 << 20).validate(batch);

      long before = AllocationMeter.allocatedBytes();
      RecordCursor cursor = new RecordCursor(1 << 20);
      cursor.validate(batch);
      long allocated = AllocationMeter.allocatedBytes() - before;
      // One int per header at most (each header takes 2 bytes), plus the decompressed section.
      long decompressed = c == Compression.ZSTD ? recordBytes : 0;
      assertThat(allocated)
          .as(c.name())
          .isLessThanOrEqualTo(2L * recordBytes + decompressed + 4096);

      cursor.reset(batch);
      assertThat(cursor.next()).isTrue();
      assertThat(cursor.headerCount()).isEqualTo(headers);
      assertThat(cursor.headerKey(headers - 1)).isEmpty();
      assertThat(cursor.headerValue(headers - 1)).isNull();
    }
  }

  @Test
  void zstdSectionsDecodeFromHeapSlicesAndDirectBuffers() {
    RecordBatchBuilder b = new RecordBatchBuilder(8192);
    b.begin("stream", 1, (short) 1, 0, Compression.ZSTD, false);
    for (int i = 0; i < 50; i++) {
      b.tryAppend(i, null, "aaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(), null);
    }
    ByteBuffer built = b.build();
    int n = built.remaining();
    ByteBuffer heap = ByteBuffer.allocate(n + 10);
    heap.position(10);
    heap.put(built.duplicate());
    ByteBuffer slice = heap.position(10).slice();
    ByteBuffer direct = ByteBuffer.allocateDirect(n);
    direct.put(built.duplicate()).flip();
    for (ByteBuffer buf : new ByteBuffer[] {built, slice, direct}) {
      RecordBatch batch = new RecordBatch().wrap(buf, 0);
      batch.validatePayload();
      assertThat(batch.compression()).isEqualTo(Compression.ZSTD);
      RecordCursor cursor = new RecordCursor(8192).reset(batch);
      int count = 0;
      while (cursor.next()) {
        assertThat(cursor.timestamp()).isEqualTo(count);
        assertThat(cursor.valueLength()).isEqualTo(28);
        count++;
      }
      assertThat(count).isEqualTo(50);
      assertThatThrownBy(() -> new RecordCursor(100).reset(batch))
          .isInstanceOf(CorruptBatchException.class)
          .hasMessageContaining("over the limit");
    }
  }

  @Test
  void aSectionPastTheBufferIsCorruptNotAnIndexError() {
    RecordBatchBuilder b = new RecordBatchBuilder(4096);
    for (Compression c : Compression.values()) {
      b.begin("stream", 1, (short) 1, 0, c, false);
      b.tryAppend(0, null, new byte[500], null);
      ByteBuffer built = b.build();
      ByteBuffer cut = built.duplicate().limit(built.remaining() - 1).slice();
      RecordBatch batch = new RecordBatch().wrap(cut, 0);
      assertThatThrownBy(batch::validatePayload).isInstanceOf(CorruptBatchException.class);
      assertThatThrownBy(() -> new RecordCursor(4096).reset(batch))
          .isInstanceOf(CorruptBatchException.class);
      ByteBuffer tiny = built.duplicate().limit(20).slice();
      RecordBatch header = new RecordBatch().wrap(tiny, 0);
      assertThatThrownBy(header::validatePayload).isInstanceOf(CorruptBatchException.class);
      assertThatThrownBy(header::ensureValid).isInstanceOf(CorruptBatchException.class);
    }
  }
}
