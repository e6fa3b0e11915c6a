package io.ordo.broker.storage;

import io.ordo.protocol.CorruptBatchException;
import io.ordo.protocol.batch.RecordBatch;
import java.nio.ByteBuffer;

/**
 * The batches of one {@link Log#append} call, checked before anything is written, with the fields
 * the writer needs afterwards (lengths, offsets, terms, timestamps) kept in reused arrays. Not
 * thread-safe: owned by the log's writer thread.
 */
final class AppendGroup {
  private final int maxBatchBytes;
  private final RecordBatch view = new RecordBatch();
  private int[] lengths = new int[16];
  private int[] positions = new int[16];
  private long[] baseOffsets = new long[16];
  private long[] nextOffsets = new long[16];
  private long[] terms = new long[16];
  private long[] appendTimestamps = new long[16];

  AppendGroup(int maxBatchBytes) {
    this.maxBatchBytes = maxBatchBytes;
  }

  /**
   * Checks that {@code batches[0..count)} are whole stamped batches that continue the log at {@code
   * expectedBase} with terms not below {@code minTerm}: length field equal to the bytes given and
   * within {@code maxBatchBytes}, known magic, header CRC good, offsets contiguous.
   *
   * @throws IllegalArgumentException naming the first bad batch
   */
  void check(ByteBuffer[] batches, int count, long expectedBase, long minTerm) {
    if (count < 0 || count > batches.length) {
      throw new IllegalArgumentException("count " + count + " is outside 0.." + batches.length);
    }
    ensureCapacity(count);
    long expected = expectedBase;
    long term = minTerm;
    for (int i = 0; i < count; i++) {
      checkOne(batches[i], i, expected, term);
      expected = nextOffsets[i];
      term = terms[i];
    }
  }

  private void checkOne(ByteBuffer batch, int i, long expectedBase, long minTerm) {
    int length = batch.remaining();
    if (length < RecordBatch.FIXED_HEADER_LENGTH + 1) {
      throw new IllegalArgumentException(
          "batch " + i + " has " + length + " bytes, fewer than a batch header");
    }
    if (length > maxBatchBytes) {
      throw new IllegalArgumentException(
          "batch " + i + " has " + length + " bytes, more than maxBatchBytes " + maxBatchBytes);
    }
    RecordBatch b = view.wrap(batch, batch.position());
    if (b.length() != length) {
      throw new IllegalArgumentException(
          "batch "
              + i
              + " has length field "
              + b.length()
              + " but "
              + length
              + " bytes were given");
    }
    if (b.magic() != RecordBatch.MAGIC) {
      throw new IllegalArgumentException("batch " + i + " has unknown magic " + b.magic());
    }
    try {
      b.validateHeader();
    } catch (CorruptBatchException e) {
      throw new IllegalArgumentException("batch " + i + ": " + BatchReader.detail(e), e);
    }
    if (b.baseOffset() != expectedBase) {
      throw new IllegalArgumentException(
          "batch " + i + " has base offset " + b.baseOffset() + ", expected " + expectedBase);
    }
    if (b.term() < minTerm) {
      throw new IllegalArgumentException(
          "batch " + i + " has term " + b.term() + ", below the log's last term " + minTerm);
    }
    int records = b.recordCount();
    if (records < 1 || b.baseOffset() > Long.MAX_VALUE - records) {
      throw new IllegalArgumentException("batch " + i + " has record count " + records);
    }
    lengths[i] = length;
    positions[i] = batch.position();
    baseOffsets[i] = b.baseOffset();
    nextOffsets[i] = b.baseOffset() + records;
    terms[i] = b.term();
    appendTimestamps[i] = b.appendTimestamp();
  }

  private void ensureCapacity(int count) {
    if (lengths.length < count) {
      int n = Math.max(count, lengths.length * 2);
      lengths = new int[n];
      positions = new int[n];
      baseOffsets = new long[n];
      nextOffsets = new long[n];
      terms = new long[n];
      appendTimestamps = new long[n];
    }
  }

  int length(int i) {
    return lengths[i];
  }

  /** The buffer position the batch started at, restored after the write. */
  int position(int i) {
    return positions[i];
  }

  long baseOffset(int i) {
    return baseOffsets[i];
  }

  long nextOffset(int i) {
    return nextOffsets[i];
  }

  long term(int i) {
    return terms[i];
  }

  long appendTimestamp(int i) {
    return appendTimestamps[i];
  }
}
