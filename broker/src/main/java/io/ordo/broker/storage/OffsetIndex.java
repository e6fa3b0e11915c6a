package io.ordo.broker.storage;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The sparse offset index of one segment ({@code .index}): entries of (offset relative to the
 * segment's base: int32, file position of the batch that starts there: int32), little-endian, one
 * per {@link LogConfig#indexIntervalBytes()} of batches, both strictly increasing. The segment's
 * first batch has no entry: position 0 is implied. Threading as for {@link IndexFile}.
 */
final class OffsetIndex extends IndexFile {
  static final int ENTRY_SIZE = 8;

  OffsetIndex(Path path) {
    super(path, ENTRY_SIZE);
  }

  void append(int relativeOffset, int position) {
    int at = slotForAppend();
    ByteBuffer b = entries();
    b.putInt(at, relativeOffset);
    b.putInt(at + 4, position);
    commitAppend();
  }

  /**
   * The last entry at or before {@code relativeOffset}, packed as {@code relativeOffset << 32 |
   * position}, or 0 (the segment start) when there is none.
   */
  long floorEntry(long relativeOffset) {
    int n = entryCount();
    ByteBuffer b = entries();
    int i = floorEntry(b, n, relativeOffset);
    return i < 0 ? 0 : ((long) b.getInt(i * ENTRY_SIZE) << 32) | b.getInt(i * ENTRY_SIZE + 4);
  }

  boolean containsRelativeOffset(int relativeOffset) {
    int n = entryCount();
    ByteBuffer b = entries();
    int i = floorEntry(b, n, relativeOffset);
    return i >= 0 && b.getInt(i * ENTRY_SIZE) == relativeOffset;
  }

  int relativeOffsetAt(int entry) {
    return entries().getInt(entry * ENTRY_SIZE);
  }

  int positionAt(int entry) {
    return entries().getInt(entry * ENTRY_SIZE + 4);
  }

  /** Position of the last entry, or 0 when there is none (the segment start). */
  int lastPosition() {
    int n = entryCount();
    return n == 0 ? 0 : positionAt(n - 1);
  }

  /** Drops every entry for a batch at or after {@code position} (writer). */
  void truncateToPosition(int position) {
    int n = entryCount();
    while (n > 0 && positionAt(n - 1) >= position) {
      n--;
    }
    truncateEntries(n);
  }

  /**
   * How many leading entries are plausible for the first {@code logBytes} bytes of a segment
   * spanning {@code offsetSpan} offsets: relative offsets and positions strictly increasing,
   * positions inside those bytes and past the first batch, offsets inside the span.
   */
  static int saneEntries(ByteBuffer b, int n, long logBytes, long offsetSpan) {
    int prevRel = 0;
    int prevPos = 0;
    for (int i = 0; i < n; i++) {
      int rel = b.getInt(i * ENTRY_SIZE);
      int pos = b.getInt(i * ENTRY_SIZE + 4);
      if (rel <= prevRel || pos <= prevPos || pos >= logBytes || rel >= offsetSpan) {
        return i;
      }
      prevRel = rel;
      prevPos = pos;
    }
    return n;
  }

  private static int floorEntry(ByteBuffer b, int n, long relativeOffset) {
    int lo = 0;
    int hi = n - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (b.getInt(mid * ENTRY_SIZE) <= relativeOffset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
