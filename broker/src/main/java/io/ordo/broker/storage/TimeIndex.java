package io.ordo.broker.storage;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The time index of one segment ({@code .timeindex}): entries of (append timestamp: int64, offset
 * relative to the segment's base: int32), little-endian. An entry (t, r) says that t is the largest
 * append timestamp of the batches up to and including the one at r; timestamps and offsets are both
 * strictly increasing. Entries are added beside offset-index entries when the largest timestamp
 * grew, and once more when the segment is sealed, so the last entry of a sealed segment holds its
 * largest timestamp. Threading as for {@link IndexFile}.
 */
final class TimeIndex extends IndexFile {
  static final int ENTRY_SIZE = 12;

  TimeIndex(Path path) {
    super(path, ENTRY_SIZE);
  }

  void append(long timestampMs, int relativeOffset) {
    int at = slotForAppend();
    ByteBuffer b = entries();
    b.putLong(at, timestampMs);
    b.putInt(at + 8, relativeOffset);
    commitAppend();
  }

  /** Largest timestamp indexed, or {@link Long#MIN_VALUE} when empty. */
  long lastTimestamp() {
    int n = entryCount();
    return n == 0 ? Long.MIN_VALUE : entries().getLong((n - 1) * ENTRY_SIZE);
  }

  long timestampAt(int entry) {
    return entries().getLong(entry * ENTRY_SIZE);
  }

  int relativeOffsetAt(int entry) {
    return entries().getInt(entry * ENTRY_SIZE + 8);
  }

  /**
   * Relative offset of the last entry whose timestamp is below {@code timestampMs}, or -1: every
   * batch up to that one was appended before {@code timestampMs}.
   */
  int lastRelativeOffsetBefore(long timestampMs) {
    int n = entryCount();
    ByteBuffer b = entries();
    int lo = 0;
    int hi = n - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (b.getLong(mid * ENTRY_SIZE) < timestampMs) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? -1 : b.getInt(found * ENTRY_SIZE + 8);
  }

  /** Drops every entry at or after {@code relativeOffset} (writer). */
  void truncateToRelativeOffset(long relativeOffset) {
    int n = entryCount();
    while (n > 0 && relativeOffsetAt(n - 1) >= relativeOffset) {
      n--;
    }
    truncateEntries(n);
  }

  /**
   * How many leading entries are plausible for a segment spanning {@code offsetSpan} offsets:
   * timestamps and relative offsets strictly increasing, offsets inside the span.
   */
  static int saneEntries(ByteBuffer b, int n, long offsetSpan) {
    long prevTs = Long.MIN_VALUE;
    int prevRel = -1;
    for (int i = 0; i < n; i++) {
      long ts = b.getLong(i * ENTRY_SIZE);
      int rel = b.getInt(i * ENTRY_SIZE + 8);
      if ((i > 0 && ts <= prevTs) || rel <= prevRel || rel >= offsetSpan) {
        return i;
      }
      prevTs = ts;
      prevRel = rel;
    }
    return n;
  }
}
