package io.ordo.consumer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The record handler call in progress, so that the timer can tell when one call has run longer than
 * {@link ConsumerConfig#maxHandlerMs()} (Kafka's {@code max.poll.interval.ms}): a member whose
 * handler hangs while its heartbeats keep its session alive would otherwise hold its group forever.
 * Times are {@link System#nanoTime} values passed in.
 *
 * <p>Threading: {@link #begin} and {@link #end} from the consumer thread only; {@link
 * #overdueOffset} and {@link #elapsedMs} from any thread. The watcher looks every few milliseconds,
 * so release/acquire ordering is enough (no full fence per record on the consumer thread): a
 * watcher that sees an offset sees the start time written before it.
 */
final class HandlerWatch {
  private final long maxHandlerNs;
  private final AtomicLong startedNs = new AtomicLong();

  /** Offset of the record being handled, or -1 between calls. Written after startedNs. */
  private final AtomicLong offset = new AtomicLong(-1);

  HandlerWatch(long maxHandlerMs) {
    this.maxHandlerNs = maxHandlerMs * 1_000_000;
  }

  void begin(long recordOffset, long nowNs) {
    startedNs.setOpaque(nowNs);
    offset.setRelease(recordOffset);
  }

  void end() {
    offset.setRelease(-1);
  }

  /** The offset whose handler call has run longer than the limit at {@code nowNs}, or -1. */
  long overdueOffset(long nowNs) {
    long o = offset.getAcquire();
    if (o < 0) {
      return -1;
    }
    return nowNs - startedNs.getOpaque() > maxHandlerNs ? o : -1;
  }

  /** How long the current call has run at {@code nowNs}, or 0 between calls. */
  long elapsedMs(long nowNs) {
    return offset.getAcquire() < 0 ? 0 : (nowNs - startedNs.getOpaque()) / 1_000_000;
  }
}
