package io.ordo.perf.storage;

import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Pre-built record batches for the storage benchmarks: full batches of fixed-size records in direct
 * buffers, re-stamped with fresh offsets before each append as the sequencer would. Not
 * thread-safe.
 */
final class BatchTemplates {
  private final ByteBuffer[] batches;
  private final RecordBatch view = new RecordBatch();
  private final int recordsPerBatch;
  private final int batchBytes;

  /**
   * @param count how many batches (one append group)
   * @param batchBytes the most bytes a batch may take
   * @param recordBytes value size of each record
   */
  BatchTemplates(int count, int batchBytes, int recordBytes, long seed) {
    RecordBatchBuilder builder = new RecordBatchBuilder(batchBytes);
    builder.begin("bench", 1, (short) 0, 0, Compression.NONE, false);
    Random random = new Random(seed);
    byte[] value = new byte[recordBytes];
    long ts = 1_700_000_000_000L;
    while (true) {
      random.nextBytes(value);
      if (!builder.tryAppend(ts, null, value, null)) {
        break;
      }
    }
    this.recordsPerBatch = builder.recordCount();
    ByteBuffer built = builder.build();
    this.batchBytes = built.remaining();
    this.batches = new ByteBuffer[count];
    for (int i = 0; i < count; i++) {
      ByteBuffer b = ByteBuffer.allocateDirect(batchBytes).order(ByteOrder.LITTLE_ENDIAN);
      b.put(built.duplicate()).flip();
      batches[i] = b;
    }
  }

  int recordsPerBatch() {
    return recordsPerBatch;
  }

  int batchBytes() {
    return batchBytes;
  }

  int count() {
    return batches.length;
  }

  /** Stamps the group to follow {@code nextOffset} and returns it; the buffers are reused. */
  ByteBuffer[] stamp(long nextOffset, long term, long nowMs) {
    long offset = nextOffset;
    for (ByteBuffer b : batches) {
      view.wrap(b, 0).stamp(offset, term, 0, RecordBatch.NO_PREVIOUS_BATCH, nowMs);
      offset += recordsPerBatch;
    }
    return batches;
  }
}
