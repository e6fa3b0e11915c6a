package io.ordo.tools;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces a load generator at a fixed offered rate: record {@code i} is due {@code i / rate} seconds
 * after the start, whatever happened to earlier records (no coordinated omission of the wait). A
 * rate of zero or less means unthrottled. One instance per sending thread.
 */
final class OfferedRate {
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
      LockSupport.parkNanos(Math.min(dueNs - now, 100_000));
    }
    return now;
  }
}
