package io.ordo.tools;

import io.ordo.consumer.Consumer;
import io.ordo.consumer.StartPosition;
import io.ordo.consumer.StreamSelector;
import io.ordo.producer.Producer;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ordo perf e2e}: end-to-end latency, from {@code send} to the consumer's handler, at a
 * fixed offered rate. The producer and the consumer run in this process, so the send time in each
 * value is read on the same clock ({@link System#nanoTime}). Sends are scheduled (not paced by
 * acknowledgements), so queueing delay counts against the latency. It also times the same records
 * from send to acknowledgement, so a run shows how much of the delivery latency is the write path's
 * (the two are made durable at the same moment; the summary line stays last, for scripts).
 */
@Command(
    name = "e2e",
    mixinStandardHelpOptions = true,
    description = {
      "Measures latency from send to delivery at a fixed offered rate, and of the same records"
          + " from send to acknowledgement.",
      "The last line is the end-to-end summary."
    })
public final class PerfE2eCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin ClientOptions client;
  @Mixin PerfProducerOptions producerOptions;

  @Option(names = "--stream", required = true, description = "Stream to use.")
  String stream;

  @Option(names = "--num-records", required = true, description = "Records to send.")
  long numRecords;

  @Option(names = "--record-size", defaultValue = "100", description = "Value size in bytes.")
  int recordSize;

  @Option(
      names = "--warmup-records",
      defaultValue = "0",
      description = "Records sent first and left out of the figures (JIT warm-up); default 0.")
  long warmupRecords;

  @Option(names = "--throughput", required = true, description = "Offered rate, records/s.")
  long throughput;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Histogram h = new Histogram(AckOutcomes.MAX_LATENCY_US, 3);
    CountDownLatch done = new CountDownLatch(1);
    long[] received = new long[1];
    long total = warmupRecords + numRecords;
    int size = Math.max(16, recordSize);
    long tagValue = System.nanoTime();
    AckOutcomes warmupAcks = new AckOutcomes();
    AckOutcomes acks = new AckOutcomes();
    try (Producer producer = producerOptions.apply(client.producerBuilder()).build();
        Consumer consumer =
            Consumer.builder()
                .bootstrapServers(client.bootstrapServer)
                .creditBytes(8 << 20)
                .build()) {
      consumer.subscribe(
          StreamSelector.stream(stream),
          StartPosition.latest(),
          r -> {
            ByteBuffer v = ByteBuffer.wrap(r.value()).order(ByteOrder.LITTLE_ENDIAN);
            if (r.value().length < 16 || v.getLong(8) != tagValue) {
              return; // not ours
            }
            long us = (System.nanoTime() - v.getLong(0)) / 1000;
            h.recordValue(Math.min(Math.max(us, 0), h.getHighestTrackableValue()));
            received[0]++;
            if (received[0] == warmupRecords) {
              h.reset();
            }
            if (received[0] == total) {
              done.countDown();
            }
          });
      // Wait until the subscription is live, then send at the fixed rate.
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (consumer.position() < 0 && System.nanoTime() < waitUntil) {
        LockSupport.parkNanos(1_000_000);
      }
      long start = System.nanoTime();
      OfferedRate rate = new OfferedRate(Math.max(1, throughput), start);
      for (long i = 0; i < total; i++) {
        long now = rate.awaitRecord(i);
        byte[] value = new byte[size];
        ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).putLong(now).putLong(tagValue);
        producer.send(
            stream, null, value, null, (i < warmupRecords ? warmupAcks : acks).timer(now));
      }
      producer.flush();
      if (!done.await(60, TimeUnit.SECONDS)) {
        out.printf(
            "only %d of %d records delivered within 60 s (%d sends failed)%n",
            received[0], total, warmupAcks.failures.get() + acks.failures.get());
        out.flush();
        return 1;
      }
      double secs = (System.nanoTime() - start) / 1e9;
      // flush() has returned: every record's callback has run
      out.println(
          "the same records from send to acknowledgement: "
              + percentiles(acks.recorder.getIntervalHistogram()));
      synchronized (h) {
        out.printf(
            "%d records at %d records/s offered (%.1f achieved), %d bytes each: end-to-end latency"
                + " %s%n",
            numRecords, throughput, total / secs, size, percentiles(h));
      }
    }
    out.flush();
    return 0;
  }

  /** "p50 X ms, p99 X ms, p99.9 X ms, max X ms" of a histogram of microseconds. */
  private static String percentiles(Histogram h) {
    return String.format(
        "p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms",
        h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0,
        h.getValueAtPercentile(99.9) / 1000.0,
        h.getMaxValue() / 1000.0);
  }
}
