package io.ordo.tools;

import io.ordo.producer.SendCallback;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * What the records of one load-generator run came to: their ack latencies (microseconds, from each
 * record's send to its callback), and how many were acknowledged or failed.
 */
final class AckOutcomes {
  static final long MAX_LATENCY_US = TimeUnit.SECONDS.toMicros(60);

  final Recorder recorder = new Recorder(MAX_LATENCY_US, 3);
  final AtomicLong acked = new AtomicLong();
  final AtomicLong failures = new AtomicLong();

  /** The callback of a record sent at {@code sendNs} ({@link System#nanoTime}). */
  SendCallback timer(long sendNs) {
    return new AckTimer(sendNs, this);
  }

  /**
   * Records one record's ack latency. A class rather than a capturing lambda: the client commands
   * run on the C1 compiler, which allocates a lambda through a method handle and a native call,
   * about 8 % of the load generator's CPU at 500,000 records/s.
   */
  private static final class AckTimer implements SendCallback {
    private final long sendNs;
    private final AckOutcomes outcomes;

    AckTimer(long sendNs, AckOutcomes outcomes) {
      this.sendNs = sendNs;
      this.outcomes = outcomes;
    }

    @Override
    public void onCompletion(long offset, long streamVersion, Throwable error) {
      if (error == null) {
        outcomes.recorder.recordValue(
            Math.min((System.nanoTime() - sendNs) / 1000, MAX_LATENCY_US));
        outcomes.acked.incrementAndGet();
      } else {
        outcomes.failures.incrementAndGet();
      }
    }
  }
}
