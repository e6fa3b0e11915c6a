package io.ordo.broker.storage;

import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Builds stamped batches whose content is a pure function of (seed, base offset), so a test (or a
 * crashed child process and its parent) can rebuild the batch expected at any offset. Not
 * thread-safe.
 */
final class TestBatches {
  private final long seed;
  private final int maxRecords;
  private final int maxValueBytes;
  private final RecordBatchBuilder builder = new RecordBatchBuilder(1 << 20);

  TestBatches(long seed, int maxRecords, int maxValueBytes) {
    this.seed = seed;
    this.maxRecords = maxRecords;
    this.maxValueBytes = maxValueBytes;
  }

  /** Records in the batch at {@code baseOffset}. */
  int recordCount(long baseOffset) {
    return 1 + new Random(mix(baseOffset)).nextInt(maxRecords);
  }

  /** The batch at {@code baseOffset}, stamped, in a new little-endian heap buffer. */
  ByteBuffer batch(long baseOffset, long term, long appendTimestampMs) {
    Random r = new Random(mix(baseOffset));
    int count = 1 + r.nextInt(maxRecords);
    builder.begin("stream-" + r.nextInt(4), 7, (short) 1, 0, Compression.NONE, false);
    for (int i = 0; i < count; i++) {
      byte[] value = new byte[r.nextInt(maxValueBytes + 1)];
      r.nextBytes(value);
      if (!builder.tryAppend(1_000_000L + baseOffset, null, value, null)) {
        throw new IllegalStateException("test batch too large");
      }
    }
    ByteBuffer built = builder.build();
    ByteBuffer copy = ByteBuffer.allocate(built.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    copy.put(built.duplicate()).flip();
    new RecordBatch().wrap(copy, 0).stamp(baseOffset, term, 0, -1, appendTimestampMs);
    return copy;
  }

  /** A batch of {@code records} records of {@code valueBytes} bytes each (not the seeded one). */
  ByteBuffer batchWith(
      long baseOffset, int records, int valueBytes, long term, long appendTimestampMs) {
    builder.begin("fixed", 7, (short) 1, 0, Compression.NONE, false);
    byte[] value = new byte[valueBytes];
    new Random(mix(baseOffset)).nextBytes(value);
    for (int i = 0; i < records; i++) {
      if (!builder.tryAppend(appendTimestampMs, null, value, null)) {
        throw new IllegalStateException("test batch too large");
      }
    }
    ByteBuffer built = builder.build();
    ByteBuffer copy = ByteBuffer.allocate(built.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    copy.put(built.duplicate()).flip();
    new RecordBatch().wrap(copy, 0).stamp(baseOffset, term, 0, -1, appendTimestampMs);
    return copy;
  }

  /** The same batch in a direct buffer. */
  ByteBuffer directBatch(long baseOffset, long term, long appendTimestampMs) {
    ByteBuffer heap = batch(baseOffset, term, appendTimestampMs);
    ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    direct.put(heap).flip();
    return direct;
  }

  /** True when {@code stored} holds exactly the payload expected at its base offset. */
  boolean matchesPayload(RecordBatch stored) {
    ByteBuffer expected = batch(stored.baseOffset(), 0, 0);
    int length = stored.length();
    if (length != expected.remaining()) {
      return false;
    }
    for (int i = RecordBatch.PAYLOAD_CRC_OFFSET; i < length; i++) {
      if (stored.buffer().get(stored.offset() + i) != expected.get(i)) {
        return false;
      }
    }
    return true;
  }

  private long mix(long baseOffset) {
    return seed * 0x9E3779B97F4A7C15L + baseOffset;
  }

  /** The seed of a randomized test: {@code -Dordo.seed} if set, else fresh; printed. */
  static long seed(String testName) {
    String property = System.getProperty("ordo.seed");
    long seed = property != null ? Long.parseLong(property) : new Random().nextLong();
    System.out.println(testName + " seed: " + seed + " (replay with -Dordo.seed=" + seed + ")");
    return seed;
  }
}
