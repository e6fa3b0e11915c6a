package io.ordo.consumer;

/**
 * The record handler call in progress, so that the timer can tell when one call has run longer than
 * {@link ConsumerConfig#maxHandlerMs()} (Kafka's {@code max.poll.interval.ms}): a member whose
 * handler hangs while its heartbeats keep its session alive would otherwise hold its group forever.
 * Times are {@link System#nanoTime} values passed in.
 *
 * <p>Threading: {@link #begin} and {@link #end} from the consumer thread only; {@link
 * #overdueOffset} and {@link #elapsedMs} from any thread.
 */
final class HandlerWatch {
  private final long maxHandlerNs;
  private volatile long startedNs;

  /** Offset of the record being handled, or -1 between calls. Written after startedNs. */
  private volatile long offset = -1;

  HandlerWatch(long maxHandlerMs) {
    this.maxHandlerNs = maxHandlerMs * 1_000_000;
  }

  void begin(long recordOffset, long nowNs) {
    startedNs = nowNs;
    offset = recordOffset;
  }

  void end() {
    offset = -1;
  }

  /** The offset whose handler call has run longer than the limit at {@code nowNs}, or -1. */
  long overdueOffset(long nowNs) {
    long o = offset;
    if (o < 0) {
      return -1;
    }
    return nowNs - startedNs > maxHandlerNs ? o : -1;
  }

  /** How long the current call has run at {@code nowNs}, or 0 between calls. */
  long elapsedMs(long nowNs) {
    return offset < 0 ? 0 : (nowNs - startedNs) / 1_000_000;
  }
}
