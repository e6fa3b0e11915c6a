package io.ordo.perf.platform;

import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/** Helpers the platform probes share: waiting for a due time and printing a latency histogram. */
final class Timing {
  private Timing() {}

  /** Parks until {@link System#nanoTime()} reaches {@code dueNs}; returns the time it read then. */
  static long awaitNanoTime(long dueNs) {
    long now;
    while ((now = System.nanoTime()) < dueNs) {
      LockSupport.parkNanos(dueNs - now);
    }
    return now;
  }

  /** "p50 .. p90 .. p99 .. p99.9 .. max .. ms" of a histogram of nanoseconds. */
  static String percentilesMs(Histogram ns) {
    return String.format(
        Locale.ROOT,
        "p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f ms",
        ns.getValueAtPercentile(50) / 1e6,
        ns.getValueAtPercentile(90) / 1e6,
        ns.getValueAtPercentile(99) / 1e6,
        ns.getValueAtPercentile(99.9) / 1e6,
        ns.getMaxValue() / 1e6);
  }
}
