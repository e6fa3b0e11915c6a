package io.ordo.broker.delivery;

import io.ordo.broker.storage.Log;
import io.ordo.broker.storage.LogSlice;
import io.ordo.protocol.batch.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * How many committed records a subscription has yet to receive from a position: the records of the
 * batches its filter matches from that offset to the commit offset. Offsets are the whole log's, so
 * for a one-stream or prefix subscription the distance to the log end overstates the lag by every
 * other stream's records (and the control records); this counts, reading only the batch headers.
 * The walk stops after a number of batches (it runs on an I/O thread): its count is then a lower
 * bound.
 *
 * <p>Stateless; each call uses its own header buffer.
 */
public final class SubscriptionLag {
  private static final int SLICE_BYTES = 1024 * 1024;

  private SubscriptionLag() {}

  /**
   * Records still to come, or {@code records = -1} when not known.
   *
   * @param exact false when the walk stopped at its budget: {@code records} is then a lower bound
   * @param batchesRead the batch headers the count read (what it took of the budget)
   */
  public record Lag(long records, boolean exact, int batchesRead) {
    public static final Lag UNKNOWN = new Lag(-1, false, 0);
  }

  /**
   * The subscription named by a group's subscription key ({@code stream:S}, {@code prefix:P} or
   * {@code all}: what the consumer library sends), from {@code position} (the next offset to
   * receive) to {@code commitOffset}. {@link Lag#UNKNOWN} for a key of another form or no position.
   */
  public static Lag of(
      Log log, String subscriptionKey, long position, long commitOffset, int maxBatches)
      throws IOException {
    StreamFilter filter = StreamFilter.ofKey(subscriptionKey);
    if (filter == null || position < 0) {
      return Lag.UNKNOWN;
    }
    return count(log, filter, position, commitOffset, maxBatches);
  }

  static Lag count(Log log, StreamFilter filter, long from, long to, int maxBatches)
      throws IOException {
    BatchHeaderReader headers = new BatchHeaderReader();
    long next = Math.max(from, log.startOffset());
    long records = 0;
    int batches = 0;
    while (next < to) {
      LogSlice slice = log.read(next, SLICE_BYTES, to);
      if (slice.isEmpty()) {
        break;
      }
      FileChannel file = slice.channel();
      long pos = slice.position();
      long end = pos + slice.length();
      while (pos < end) {
        if (batches >= maxBatches) {
          return new Lag(records, false, batches);
        }
        batches++;
        ByteBuffer h = headers.read(file, pos, end);
        long base = h.getLong(RecordBatch.BASE_OFFSET_OFFSET);
        long after = base + h.getInt(RecordBatch.RECORD_COUNT_OFFSET);
        if (filter.matches(h)) {
          records += after - Math.max(base, from); // the first batch may start before from
        }
        pos += h.getInt(RecordBatch.LENGTH_OFFSET);
        next = after;
      }
    }
    return new Lag(records, true, batches);
  }
}
