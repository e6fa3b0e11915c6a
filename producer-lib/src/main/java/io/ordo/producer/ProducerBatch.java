package io.ordo.producer;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The records of one stream that travel to the broker together, through their whole life: open
 * (taking records), sealed (waiting to be sent), encoded (bytes with a producer sequence, sent and
 * possibly resent), and resolved (acknowledged or failed, the outcome handed to the callback
 * thread).
 *
 * <p>Threading: everything but {@link #run} happens on the I/O thread. Once resolved, the batch is
 * handed to the callback thread through a queue, which runs {@link #run} to complete the records'
 * futures; after that hand-off the I/O thread touches only {@link #bytes}.
 */
final class ProducerBatch implements Runnable {
  private static final PendingRecord[] NONE = new PendingRecord[0];

  final String stream;
  final int streamNameBytes;

  /** Creation order; a flush waits for every batch created before it. A split keeps it. */
  final long serial;

  final long createdNs;

  PendingRecord[] records;
  int count;

  /** The batch's size if it were encoded now, for sealing by size. */
  int sizeBytes;

  long firstTimestampMs;
  long memoryBytes;

  // ---- once encoded ----
  ByteBuf bytes;
  long producerId;
  short producerEpoch;
  int baseSequence;

  // ---- once resolved ----
  boolean resolved;
  Throwable failure;
  long baseOffset;
  long baseStreamVersion;

  ProducerBatch(String stream, int streamNameBytes, long serial, long createdNs, int capacity) {
    this.stream = stream;
    this.streamNameBytes = streamNameBytes;
    this.serial = serial;
    this.createdNs = createdNs;
    this.records = capacity == 0 ? NONE : new PendingRecord[capacity];
    this.sizeBytes = RecordSize.batchOverhead(streamNameBytes);
  }

  /**
   * Adds {@code r} unless the batch would grow past {@code limitBytes}; an empty batch always takes
   * the record (the encoder rejects one that can never fit).
   */
  boolean tryAdd(PendingRecord r, int limitBytes) {
    long delta = count == 0 ? 0 : r.timestampMs - firstTimestampMs;
    int size = RecordSize.encoded(r.bodyWithoutDeltaBytes, delta);
    if (count > 0 && sizeBytes + size > limitBytes) {
      return false;
    }
    if (count == 0) {
      firstTimestampMs = r.timestampMs;
    }
    if (count == records.length) {
      records = Arrays.copyOf(records, Math.max(16, count * 2));
    }
    records[count++] = r;
    sizeBytes += size;
    memoryBytes += r.memoryBytes;
    return true;
  }

  /**
   * Moves the first {@code n} records (fewer than {@link #count}) into a new batch with the same
   * stream, serial and creation time, and returns it; this batch keeps the rest.
   */
  ProducerBatch splitHead(int n) {
    ProducerBatch head = new ProducerBatch(stream, streamNameBytes, serial, createdNs, 0);
    head.records = Arrays.copyOf(records, n);
    head.count = n;
    head.firstTimestampMs = records[0].timestampMs;
    long moved = 0;
    for (int i = 0; i < n; i++) {
      moved += records[i].memoryBytes;
    }
    head.memoryBytes = moved;
    memoryBytes -= moved;
    System.arraycopy(records, n, records, 0, count - n);
    Arrays.fill(records, count - n, count, null);
    count -= n;
    firstTimestampMs = records[0].timestampMs;
    return head;
  }

  void encoded(ByteBuf bytes, long producerId, short producerEpoch, int baseSequence) {
    this.bytes = bytes;
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.baseSequence = baseSequence;
  }

  int encodedLength() {
    return bytes.readableBytes();
  }

  void releaseBytes() {
    if (bytes != null) {
      bytes.release();
      bytes = null;
    }
  }

  /** Completes the records' futures (or calls their callbacks). Runs on the callback thread. */
  @Override
  public void run() {
    PendingRecord[] rs = records;
    if (failure != null) {
      for (int i = 0; i < count; i++) {
        rs[i].failed(failure);
      }
    } else {
      for (int i = 0; i < count; i++) {
        rs[i].stored(stream, baseOffset + i, baseStreamVersion + i);
      }
    }
  }

  @Override
  public String toString() {
    return "batch of " + count + " records for stream '" + stream + "'";
  }
}
