package io.ordo.producer;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Delay before the next connection attempt: doubles with each failure from {@code initialMs} up to
 * {@code maxMs}, with ±20% jitter so that many producers do not reconnect in lockstep; back to
 * {@code initialMs} after a success.
 *
 * <p>I/O thread only.
 */
final class Backoff {
  private final long initialMs;
  private final long maxMs;
  private int failures;

  Backoff(long initialMs, long maxMs) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
  }

  long nextDelayMs() {
    long base = Math.min(maxMs, initialMs << Math.min(failures, 20));
    failures++;
    long jitter = base / 5;
    return jitter == 0
        ? base
        : base - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1);
  }

  void reset() {
    failures = 0;
  }
}
