package io.ordo.protocol.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.github.luben.zstd.Zstd;
import io.ordo.protocol.AllocationMeter;
import io.ordo.protocol.CorruptBatchException;
import io.ordo.protocol.OrdoException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the batch decoders: {@link RecordBatch#checkedLength}, {@link
 * RecordBatch#validatePayload}, {@link RecordBatch#ensureValid} and {@link RecordCursor}. Each
 * input is decoded as it is, then with its length, magic and both CRCs rewritten so that the fuzzer
 * gets past the checksums into the records, once as an uncompressed and once as a zstd batch, and
 * once with its records section compressed by zstd. The only exception allowed out is {@link
 * OrdoException}, and one decode may allocate only in proportion to the input (plus the cursor's
 * decompression limit), never to a length field. Stored inputs under {@code
 * RecordBatchFuzzTestInputs/decodeBatch} run as regression tests in every build; see FUZZING.md.
 */
class RecordBatchFuzzTest {
  static final int MAX_UNCOMPRESSED = 64 * 1024;
  private static final long SLACK_BYTES = 64 * 1024;
  private static final ByteBuffer DIRECT = ByteBuffer.allocateDirect(4 * 1024 * 1024);

  @FuzzTest(maxDuration = "5m")
  void decodeBatch(byte[] data) {
    decodeMeasured(ByteBuffer.wrap(data), false);
    if (data.length < RecordBatch.FIXED_HEADER_LENGTH + 1) {
      return;
    }
    for (Compression codec : Compression.values()) {
      ByteBuffer sealed = sealed(data, codec);
      decodeMeasured(sealed, true);
      if (codec == Compression.ZSTD && DIRECT.capacity() >= sealed.remaining()) {
        DIRECT.clear();
        DIRECT.put(sealed.duplicate()).flip();
        decodeMeasured(DIRECT, true);
      }
    }
    ByteBuffer recompressed = recompressed(sealed(data, Compression.NONE));
    if (recompressed != null) {
      decodeMeasured(recompressed, true);
    }
  }

  @Test
  void storedInputsMeanWhatTheirNamesSay() throws IOException {
    for (String valid : new String[] {"batch-none", "batch-zstd", "batch-control"}) {
      assertThat(decode(stored(valid))).as(valid).isNotNull();
    }
    RecordBatch zstd = new RecordBatch().wrap(stored("batch-zstd"), 0);
    assertThat(zstd.compression()).isEqualTo(Compression.ZSTD);
    assertThat(new RecordBatch().wrap(stored("batch-control"), 0).isControl()).isTrue();

    ByteBuffer truncated = stored("truncated-batch");
    assertThatThrownBy(() -> RecordBatch.checkedLength(truncated, 0, truncated.limit(), 1 << 20))
        .isInstanceOf(CorruptBatchException.class);
    ByteBuffer huge = stored("huge-length-prefix");
    assertThatThrownBy(() -> RecordBatch.checkedLength(huge, 0, huge.limit(), 1 << 20))
        .isInstanceOf(OrdoException.class)
        .hasMessageContaining("BATCH_TOO_LARGE");
    RecordBatch manyRecords = new RecordBatch().wrap(stored("huge-record-count"), 0);
    manyRecords.validateHeader();
    assertThatThrownBy(manyRecords::validatePayload)
        .isInstanceOf(CorruptBatchException.class)
        .hasMessageContaining("record count");
    RecordBatch bomb = new RecordBatch().wrap(stored("zstd-expands-past-limit"), 0);
    bomb.ensureValid();
    assertThatThrownBy(() -> new RecordCursor(MAX_UNCOMPRESSED).reset(bomb))
        .isInstanceOf(CorruptBatchException.class)
        .hasMessageContaining("over the limit");
  }

  private static ByteBuffer stored(String name) throws IOException {
    try (InputStream in =
        RecordBatchFuzzTest.class.getResourceAsStream(
            "RecordBatchFuzzTestInputs/decodeBatch/" + name)) {
      assertThat(in).as(name).isNotNull();
      return ByteBuffer.wrap(in.readAllBytes());
    }
  }

  private static void decodeMeasured(ByteBuffer buf, boolean readAccessors) {
    // A first, unmeasured run loads the classes this input's path needs: loading (and the fuzzer's
    // instrumentation of) a class allocates on this thread but is not the decoder's doing.
    decode(buf);
    long before = AllocationMeter.allocatedBytes();
    RecordCursor cursor = decode(buf);
    long allocated = AllocationMeter.allocatedBytes() - before;
    long bound = SLACK_BYTES + 4L * buf.remaining() + 3L * MAX_UNCOMPRESSED;
    assertThat(allocated)
        .as("bytes allocated to decode a batch of %d bytes", buf.remaining())
        .isLessThanOrEqualTo(bound);
    if (cursor != null && readAccessors) {
      readEveryRecord(cursor, buf);
    }
  }

  /** Runs every check; returns a cursor reset on the batch when all of them passed. */
  private static RecordCursor decode(ByteBuffer buf) {
    try {
      int at = buf.position();
      RecordBatch.checkedLength(buf, at, buf.remaining(), RecordBatch.MAX_BATCH_LENGTH);
      RecordBatch batch = new RecordBatch().wrap(buf, at);
      batch.validatePayload();
      batch.ensureValid();
      RecordCursor cursor = new RecordCursor(MAX_UNCOMPRESSED);
      cursor.validate(batch);
      cursor.reset(batch);
      long lengths = 0;
      while (cursor.next()) {
        lengths += cursor.keyLength() + cursor.valueLength() + cursor.headerCount();
        lengths += cursor.timestamp() + cursor.offset() + cursor.streamVersion();
      }
      batch.streamNameEquals(new byte[] {1});
      batch.streamNameStartsWith(new byte[] {1});
      return lengths == 42 ? cursor.reset(batch) : cursor.reset(batch);
    } catch (OrdoException expected) {
      return null;
    }
  }

  /** Every accessor that copies (allocates), on a batch that passed every check: must not throw. */
  private static void readEveryRecord(RecordCursor cursor, ByteBuffer buf) {
    RecordBatch batch = new RecordBatch().wrap(buf, buf.position());
    batch.streamName();
    batch.compression();
    batch.toString();
    int records = 0;
    while (cursor.next()) {
      cursor.key();
      cursor.value();
      for (int i = 0; i < cursor.headerCount(); i++) {
        cursor.headerKey(i);
        cursor.headerValue(i);
      }
      cursor.headers();
      records++;
    }
    assertThat(records).isEqualTo(batch.recordCount());
  }

  /**
   * A copy of {@code data} made to pass the checksums: length set to the input's size, magic to the
   * current one, codec to {@code codec}, then both CRCs recomputed.
   */
  static ByteBuffer sealed(byte[] data, Compression codec) {
    ByteBuffer b = ByteBuffer.allocate(data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(data).flip();
    b.putInt(RecordBatch.LENGTH_OFFSET, data.length);
    b.put(RecordBatch.MAGIC_OFFSET, RecordBatch.MAGIC);
    int attributes = b.getShort(RecordBatch.ATTRIBUTES_OFFSET) & ~RecordBatch.CODEC_MASK;
    b.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) (attributes | codec.id()));
    RecordBatch batch = new RecordBatch().wrap(b, 0);
    b.putInt(RecordBatch.PAYLOAD_CRC_OFFSET, batch.computePayloadCrc());
    b.putInt(RecordBatch.HEADER_CRC_OFFSET, batch.computeHeaderCrc());
    return b;
  }

  /**
   * The same batch with its records section (taken as raw records) replaced by one zstd frame, or
   * null when the header does not delimit a records section.
   */
  static ByteBuffer recompressed(ByteBuffer raw) {
    int nameLength = raw.getShort(RecordBatch.STREAM_NAME_LENGTH_OFFSET) & 0xFFFF;
    int recordsOffset = RecordBatch.STREAM_NAME_OFFSET + nameLength;
    if (recordsOffset > raw.limit()) {
      return null;
    }
    byte[] records = new byte[raw.limit() - recordsOffset];
    raw.get(recordsOffset, records);
    byte[] compressed = Zstd.compress(records, 1);
    byte[] data = new byte[recordsOffset + compressed.length];
    raw.get(0, data, 0, recordsOffset);
    System.arraycopy(compressed, 0, data, recordsOffset, compressed.length);
    return sealed(data, Compression.ZSTD);
  }
}
