package io.ordo.broker.storage;

import io.ordo.protocol.CorruptBatchException;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.RecordBatch;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The read path of a {@link Log}: zero-copy slices, timestamp lookups and checked visits over the
 * segments, bounded by the start and end offsets the log passes in (read once from its volatile
 * fields, so a call sees one consistent end even while the writer appends).
 *
 * <p>Threading: any number of threads, no locks. Each thread reuses its own small {@link
 * BatchReader} for headers.
 */
final class LogReader {
  private static final int HEADER_WINDOW_BYTES = 2048;
  private static final int VISIT_WINDOW_BYTES = 256 * 1024;
  private static final ThreadLocal<BatchReader> HEADER_READERS =
      ThreadLocal.withInitial(() -> new BatchReader(HEADER_WINDOW_BYTES));

  private final ConcurrentSkipListMap<Long, Segment> segments;

  LogReader(ConcurrentSkipListMap<Long, Segment> segments) {
    this.segments = segments;
  }

  /** See {@link Log#read}. */
  LogSlice read(long offset, int maxBytes, long maxOffsetExclusive, long start, long end)
      throws IOException {
    Segment seg = segmentFor(offset, start, end);
    if (offset == end || offset >= maxOffsetExclusive) {
      return LogSlice.EMPTY;
    }
    long limit = seg.sizeBytes();
    BatchReader reader = HEADER_READERS.get();
    long pos = seg.locate(offset, reader, limit);
    if (pos < 0) {
      throw missing(seg, offset);
    }
    long first = -1;
    long next = -1;
    long slice = pos;
    long bytes = 0;
    while (true) {
      RecordBatch h;
      try {
        h = reader.header(pos, limit);
      } catch (CorruptBatchException e) {
        if (bytes == 0) {
          throw e;
        }
        break; // serve up to the damage; the next read reports it
      }
      if (h == null
          || (bytes > 0 && (bytes + h.length() > maxBytes || h.baseOffset() != next))
          || h.nextOffset() > maxOffsetExclusive
          || h.baseOffset() >= end) {
        break;
      }
      if (bytes == 0) {
        first = h.baseOffset();
      }
      bytes += h.length();
      next = h.nextOffset();
      pos += h.length();
    }
    return bytes == 0
        ? LogSlice.EMPTY
        : new LogSlice(seg.channel(), slice, (int) bytes, first, next);
  }

  /** See {@link Log#offsetForTimestamp}. */
  long offsetForTimestamp(long timestampMs, long end) throws IOException {
    BatchReader reader = HEADER_READERS.get();
    for (Segment s : segments.values()) {
      if (s.maxTimestampMs() < timestampMs) {
        continue;
      }
      // every batch up to the one at rel was appended before timestampMs
      int rel = s.timeIndex().lastRelativeOffsetBefore(timestampMs);
      long limit = s.sizeBytes();
      reader.on(s.channel());
      long pos = rel < 0 ? 0 : s.locate(s.baseOffset() + rel, reader, limit);
      if (pos < 0) {
        continue;
      }
      while (true) {
        RecordBatch h = reader.header(pos, limit);
        if (h == null || h.baseOffset() >= end) {
          break;
        }
        if (h.appendTimestamp() >= timestampMs) {
          return h.baseOffset();
        }
        pos += h.length();
      }
    }
    return end;
  }

  /** See {@link Log#forEachBatch}. */
  void forEachBatch(long fromOffset, BatchVisitor visitor, long start, long end)
      throws IOException {
    Segment first = segmentFor(fromOffset, start, end);
    if (fromOffset == end) {
      return;
    }
    long pos = first.locate(fromOffset, HEADER_READERS.get(), first.sizeBytes());
    if (pos < 0) {
      throw missing(first, fromOffset);
    }
    BatchReader reader = new BatchReader(VISIT_WINDOW_BYTES);
    long expected = -1;
    for (Segment s : segments.tailMap(first.baseOffset(), true).values()) {
      if (s.baseOffset() >= end) {
        return;
      }
      if (expected >= 0 && s.baseOffset() != expected) {
        throw new CorruptBatchException(
            "offsets [" + expected + ", " + s.baseOffset() + ") are missing before " + s);
      }
      long limit = s.sizeBytes();
      long p = s == first ? pos : 0;
      reader.on(s.channel());
      while (true) {
        RecordBatch b;
        try {
          b = reader.batch(p, limit);
        } catch (CorruptBatchException e) {
          throw new CorruptBatchException(
              s.logFile().getFileName()
                  + ", after offset "
                  + expected
                  + ": "
                  + BatchReader.detail(e),
              e);
        }
        if (b == null || b.baseOffset() >= end) {
          break;
        }
        if (expected >= 0 && b.baseOffset() != expected) {
          throw new CorruptBatchException(
              s.logFile().getFileName()
                  + ": batch at position "
                  + p
                  + " has base offset "
                  + b.baseOffset()
                  + ", expected "
                  + expected);
        }
        expected = b.nextOffset();
        p += b.length();
        visitor.onBatch(b);
      }
      if (expected >= 0 && expected < Math.min(end, s.nextOffset())) {
        throw missing(s, expected);
      }
    }
  }

  /** The segment that holds {@code offset}, after checking the offset is in the log. */
  private Segment segmentFor(long offset, long start, long end) {
    Map.Entry<Long, Segment> e = segments.floorEntry(offset);
    if (offset < start || offset > end || e == null) {
      throw new OrdoException(
          ErrorCode.OFFSET_OUT_OF_RANGE,
          "offset " + offset + " is outside the log [" + start + ", " + end + "]");
    }
    return e.getValue();
  }

  private static CorruptBatchException missing(Segment s, long offset) {
    return new CorruptBatchException(
        "offset "
            + offset
            + " should be in "
            + s.logFile().getFileName()
            + " but the file ends before it");
  }
}
