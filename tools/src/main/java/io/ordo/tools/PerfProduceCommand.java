package io.ordo.tools;

import io.ordo.producer.Producer;
import java.io.PrintWriter;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ordo perf produce}: sends fixed-size records as fast as allowed (or at a fixed rate) and
 * reports acknowledgement latency, in the shape of Kafka's producer performance tool so the two can
 * be compared line by line.
 */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    description = {
      "Produces N records of B bytes and prints throughput and ack latency percentiles.",
      "The last line has the shape of kafka-producer-perf-test's summary."
    })
public final class PerfProduceCommand implements Callable<Integer> {
  @Mixin ClientOptions client;
  @Mixin PerfProducerOptions producerOptions;

  @Spec CommandSpec spec;

  @Option(names = "--stream", required = true, description = "Stream to append to.")
  String stream;

  @Option(names = "--num-records", required = true, description = "Records to send.")
  long numRecords;

  @Option(names = "--record-size", required = true, description = "Value size in bytes.")
  int recordSize;

  @Option(
      names = "--throughput",
      description = "Records per second to offer; -1 for as fast as possible (default).",
      defaultValue = "-1")
  long throughput;

  @Option(
      names = "--warmup-records",
      description =
          "Records sent first and left out of the figures (JIT warm-up); default ${DEFAULT-VALUE}.",
      defaultValue = "0")
  long warmupRecords;

  @Option(
      names = "--report-interval-ms",
      description = "Interval of the progress lines (default: ${DEFAULT-VALUE}).",
      defaultValue = "5000")
  long reportIntervalMs;

  private final Histogram total = new Histogram(AckOutcomes.MAX_LATENCY_US, 3);
  private Histogram window;
  private PrintWriter out;

  @Override
  public Integer call() throws Exception {
    if (numRecords <= 0 || recordSize < 0 || warmupRecords < 0) {
      throw new IllegalArgumentException(
          "--num-records must be > 0, --record-size and --warmup-records >= 0");
    }
    out = spec.commandLine().getOut();
    byte[] value = new byte[recordSize];
    new Random(42).nextBytes(value);
    AckOutcomes measured = new AckOutcomes();
    long startNs;
    try (Producer producer = producerOptions.apply(client.producerBuilder()).build()) {
      if (warmupRecords > 0) {
        // The same loop and callback as the measured run, so the JIT has compiled what is timed.
        AckOutcomes warmup = new AckOutcomes();
        sendAll(producer, value, warmupRecords, warmup, Long.MAX_VALUE);
        producer.flush();
        if (warmup.failures.get() > 0) {
          throw new IllegalStateException(warmup.failures.get() + " warm-up records failed");
        }
        out.printf("warm-up: %d records sent and acknowledged%n", warmupRecords);
      }
      startNs = System.nanoTime();
      sendAll(producer, value, numRecords, measured, reportIntervalMs);
      producer.flush();
    }
    long elapsedNs = System.nanoTime() - startNs;
    window = measured.recorder.getIntervalHistogram(window);
    total.add(window);
    double seconds = elapsedNs / 1e9;
    double recPerSec = numRecords / seconds;
    out.printf(
        "%d records sent, %.1f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max"
            + " latency, %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.%n",
        numRecords,
        recPerSec,
        recPerSec * recordSize / (1024.0 * 1024.0),
        total.getMean() / 1000.0,
        total.getMaxValue() / 1000.0,
        ms(total, 50),
        ms(total, 95),
        ms(total, 99),
        ms(total, 99.9));
    out.printf(
        "latency detail (us): p50 %d, p95 %d, p99 %d, p99.9 %d, max %d; failed %d%n",
        total.getValueAtPercentile(50),
        total.getValueAtPercentile(95),
        total.getValueAtPercentile(99),
        total.getValueAtPercentile(99.9),
        total.getMaxValue(),
        measured.failures.get());
    out.flush();
    return measured.failures.get() == 0 && measured.acked.get() == numRecords ? 0 : 1;
  }

  /**
   * Sends {@code count} records at the offered rate, each recording its ack latency; prints a
   * progress line every {@code reportMs} (and folds that window into {@link #total}).
   */
  private void sendAll(
      Producer producer, byte[] value, long count, AckOutcomes outcomes, long reportMs) {
    long startNs = System.nanoTime();
    long lastReportNs = startNs;
    long windowStartSent = 0;
    OfferedRate rate = new OfferedRate(throughput, startNs);
    for (long i = 0; i < count; i++) {
      long sendNs = rate.awaitRecord(i); // a clock read costs ~30 ns here: one per send
      producer.send(stream, null, value, null, outcomes.timer(sendNs));
      if (sendNs - lastReportNs >= TimeUnit.MILLISECONDS.toNanos(reportMs)) {
        window = outcomes.recorder.getIntervalHistogram(window);
        total.add(window);
        printWindow(i + 1 - windowStartSent, sendNs - lastReportNs, window);
        windowStartSent = i + 1;
        lastReportNs = sendNs;
      }
    }
  }

  private void printWindow(long sent, long ns, Histogram h) {
    double rate = sent / (ns / 1e9);
    out.printf(
        "%d records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max"
            + " latency.%n",
        sent,
        rate,
        rate * recordSize / (1024.0 * 1024.0),
        h.getMean() / 1000.0,
        h.getMaxValue() / 1000.0);
  }

  private static long ms(Histogram h, double percentile) {
    return Math.round(h.getValueAtPercentile(percentile) / 1000.0);
  }
}
