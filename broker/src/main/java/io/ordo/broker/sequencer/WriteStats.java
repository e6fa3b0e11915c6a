package io.ordo.broker.sequencer;

import java.util.Locale;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Where a produce request's time in the node goes, by stage, summarised once per interval in one
 * log line: how long requests waited in the ring for the sequencer, how long each group's write and
 * its fsync took, and how long requests spent in the node from their frame being decoded to their
 * answer being handed to the I/O thread. It answers "is the tail latency a client sees made in the
 * node, and in which stage?" without a profiler.
 *
 * <p>Sequencer thread only: it records and reports (HdrHistograms in microseconds, no allocation
 * while recording). An interval of 0 turns it off.
 */
final class WriteStats {
  private static final long HIGHEST_US = 3_600_000_000L;

  private final long intervalNs;
  private final Consumer<String> sink;
  private final Histogram queued = histogram();
  private final Histogram inNode = histogram();
  private final Histogram write = histogram();
  private final Histogram fsync = histogram();
  private final Histogram groupBatches = new Histogram(1_000_000L, 2);
  private long intervalStartNs;

  /**
   * @param intervalMs how often to report; 0 for never (nothing is recorded)
   * @param sink where the report line goes (the node's log)
   */
  WriteStats(long intervalMs, long nowNs, Consumer<String> sink) {
    this.intervalNs = intervalMs * 1_000_000L;
    this.sink = sink;
    this.intervalStartNs = nowNs;
  }

  boolean enabled() {
    return intervalNs > 0;
  }

  /** A request taken from the ring at {@code nowNs}, decoded at {@code receivedNs}. */
  void sequenced(long receivedNs, long nowNs) {
    if (enabled()) {
      queued.recordValue(micros(nowNs - receivedNs));
    }
  }

  /** One group appended: its write and its end-of-group (fsync) in nanoseconds. */
  void groupWritten(int batches, long writeNs, long fsyncNs) {
    if (enabled()) {
      groupBatches.recordValue(Math.min(batches, groupBatches.getHighestTrackableValue()));
      write.recordValue(micros(writeNs));
      fsync.recordValue(micros(fsyncNs));
    }
  }

  /** A request answered at {@code nowNs}. */
  void answered(long receivedNs, long nowNs) {
    if (enabled()) {
      inNode.recordValue(micros(nowNs - receivedNs));
    }
  }

  /** Reports and starts a new interval when this one is over and saw any request. */
  void maybeReport(long nowNs) {
    if (!enabled() || nowNs - intervalStartNs < intervalNs) {
      return;
    }
    if (inNode.getTotalCount() > 0 || write.getTotalCount() > 0) {
      sink.accept(report((nowNs - intervalStartNs) / 1e9));
    }
    queued.reset();
    inNode.reset();
    write.reset();
    fsync.reset();
    groupBatches.reset();
    intervalStartNs = nowNs;
  }

  private String report(double seconds) {
    return String.format(
        Locale.ROOT,
        "write path, last %.0f s: %d requests answered, %d groups (batches per group p50 %d, max"
            + " %d); request in node %s (of which waiting for the sequencer %s); group write %s;"
            + " group fsync %s",
        seconds,
        inNode.getTotalCount(),
        write.getTotalCount(),
        groupBatches.getValueAtPercentile(50),
        groupBatches.getMaxValue(),
        percentiles(inNode),
        percentiles(queued),
        percentiles(write),
        percentiles(fsync));
  }

  /** "p50 / p99 / max" in milliseconds. */
  static String percentiles(Histogram h) {
    if (h.getTotalCount() == 0) {
      return "-";
    }
    return String.format(
        Locale.ROOT,
        "p50 %.2f / p99 %.2f / max %.2f ms",
        h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0,
        h.getMaxValue() / 1000.0);
  }

  private static long micros(long nanos) {
    return Math.min(Math.max(nanos, 0) / 1000, HIGHEST_US);
  }

  private static Histogram histogram() {
    return new Histogram(HIGHEST_US, 2);
  }
}
