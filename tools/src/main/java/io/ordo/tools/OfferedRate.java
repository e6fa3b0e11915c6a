package io.ordo.tools;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Paces a load generator at a fixed offered rate: record {@code i} is due {@code i / rate} seconds
 * after the start, whatever happened to earlier records (no coordinated omission of the wait). A
 * rate of zero or less means unthrottled. One instance per sending thread.
 *
 * <p>A sender ahead of schedule sleeps at least {@value #MIN_SLEEP_US} us, and then sends every
 * record that fell due meanwhile: at 500,000 records/s that is runs of about 100 records, and about
 * 5,000 wake-ups a second instead of one per record (the kernel's timer slack made that one per 60
 * us or so, each a futex call and two context switches on the cores the broker needs). Latency is
 * measured from when a record is actually sent, as Kafka's tool does (it sleeps at least 2 ms).
 */
final class OfferedRate {
  static final long MIN_SLEEP_US = 200;
  private static final long MIN_SLEEP_NS = TimeUnit.MICROSECONDS.toNanos(MIN_SLEEP_US);

  private final long startNs;
  private final double intervalNs;

  OfferedRate(long recordsPerSecond, long startNs) {
    this.startNs = startNs;
    this.intervalNs = recordsPerSecond > 0 ? 1e9 / recordsPerSecond : 0;
  }

  /** Waits until record {@code i} is due; returns {@link System#nanoTime()} at that moment. */
  long awaitRecord(long i) {
    long dueNs = startNs + (long) (i * intervalNs);
    long now;
    while ((now = System.nanoTime()) < dueNs) {
      LockSupport.parkNanos(Math.max(dueNs - now, MIN_SLEEP_NS));
    }
    return now;
  }
}
