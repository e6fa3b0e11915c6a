package io.ordo.broker.storage;

import io.ordo.protocol.CorruptBatchException;
import io.ordo.protocol.batch.RecordBatch;
import java.io.IOException;

/**
 * One walk over the batch headers of a region of a segment (length prefixes, header CRCs and offset
 * continuity checked; payloads not read), summarising what it saw. Used where the bytes are already
 * trusted to be durable: to check or rebuild the indexes of segments below the recovery checkpoint,
 * and to restore the writer's state after a truncation. A damaged header ends the walk and is
 * reported in {@link #damage()}; it is not an exception here because the caller decides what a
 * damaged durable batch means. Not thread-safe; one walk per instance.
 */
final class SegmentWalk {
  private long endPosition;
  private long endOffset;
  private long lastBatchBaseOffset = -1;
  private long lastTerm = -1;
  private long maxTimestampMs = Long.MIN_VALUE;
  private long firstTimestampMs = Long.MIN_VALUE;
  private boolean missingIndexEntry;
  private String damage;

  private SegmentWalk() {}

  /**
   * Walks from {@code fromPosition}, where a batch with base offset {@code fromOffset} must start,
   * to {@code limit}.
   *
   * @param indexIntervalBytes when {@code rebuild}, the interval to index with; otherwise, if
   *     positive, the walk starts at an index entry (or the segment start) and reports {@link
   *     #missingIndexEntry()} when the bytes walked should have produced another entry
   * @param rebuild feed every batch to {@link Segment#indexBatch}
   */
  static SegmentWalk run(
      Segment segment,
      BatchReader reader,
      long fromPosition,
      long fromOffset,
      long limit,
      int indexIntervalBytes,
      boolean rebuild)
      throws IOException {
    SegmentWalk w = new SegmentWalk();
    w.endPosition = fromPosition;
    w.endOffset = fromOffset;
    reader.on(segment.channel());
    long bytesSinceEntry = 0;
    while (true) {
      RecordBatch h;
      try {
        h = reader.header(w.endPosition, limit);
      } catch (CorruptBatchException e) {
        w.damage = BatchReader.detail(e);
        return w;
      }
      if (h == null) {
        return w;
      }
      if (h.baseOffset() != w.endOffset) {
        w.damage =
            "batch at position "
                + w.endPosition
                + " has base offset "
                + h.baseOffset()
                + ", expected "
                + w.endOffset;
        return w;
      }
      long next = h.nextOffset();
      if (next < h.baseOffset() || next - segment.baseOffset() > Integer.MAX_VALUE) {
        w.damage = "batch at position " + w.endPosition + " has an implausible record count";
        return w;
      }
      int length = h.length();
      if (rebuild) {
        segment.indexBatch(
            h.baseOffset(), (int) w.endPosition, length, h.appendTimestamp(), indexIntervalBytes);
      } else if (indexIntervalBytes > 0) {
        if (w.lastBatchBaseOffset >= 0 && bytesSinceEntry >= indexIntervalBytes) {
          w.missingIndexEntry = true;
        }
        bytesSinceEntry += length;
      }
      if (w.firstTimestampMs == Long.MIN_VALUE && w.lastBatchBaseOffset < 0) {
        w.firstTimestampMs = h.appendTimestamp();
      }
      w.maxTimestampMs = Math.max(w.maxTimestampMs, h.appendTimestamp());
      w.lastTerm = h.term();
      w.lastBatchBaseOffset = h.baseOffset();
      w.endOffset = next;
      w.endPosition += length;
    }
  }

  /** Position after the last good batch. */
  long endPosition() {
    return endPosition;
  }

  /** Offset after the last good batch. */
  long endOffset() {
    return endOffset;
  }

  /** Base offset of the last good batch, or -1 when there was none. */
  long lastBatchBaseOffset() {
    return lastBatchBaseOffset;
  }

  /** Term of the last good batch, or -1 when there was none. */
  long lastTerm() {
    return lastTerm;
  }

  /** Largest append timestamp walked, or {@link Long#MIN_VALUE}. */
  long maxTimestampMs() {
    return maxTimestampMs;
  }

  /** Append timestamp of the first batch walked, or {@link Long#MIN_VALUE}. */
  long firstTimestampMs() {
    return firstTimestampMs;
  }

  boolean missingIndexEntry() {
    return missingIndexEntry;
  }

  /** Why the walk stopped before {@code limit}, or null when it reached it. */
  String damage() {
    return damage;
  }
}
