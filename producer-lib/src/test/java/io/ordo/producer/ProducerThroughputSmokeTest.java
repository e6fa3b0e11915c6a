package io.ordo.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.protocol.batch.Compression;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A by-hand smoke run, not a benchmark (those live in the perf module) and no timing is asserted:
 * one application thread sends 100-byte values as fast as it can to the {@link FakeBroker} (a test
 * fake that checks each batch's CRC and counts records) in the same JVM, and the records per second
 * are printed. Run with {@code mvn -B -q -pl producer-lib -am test -Pslow
 * -Dtest=ProducerThroughputSmokeTest -Dsurefire.failIfNoSpecifiedTests=false}; {@code
 * -Dordo.smoke.records=N} sets the count.
 */
@Tag("slow")
class ProducerThroughputSmokeTest {
  private static final int VALUE_BYTES = 100;

  @Test
  @Timeout(900)
  void printsRecordsPerSecond() {
    int records = Integer.getInteger("ordo.smoke.records", 5_000_000);
    run(records, Compression.NONE, 3);
    run(records, Compression.ZSTD, 3);
    run(records, Compression.ZSTD, 1);
  }

  /** The same run from the command line: {@code [records] [NONE|ZSTD] [zstdLevel]}. */
  public static void main(String[] args) {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 5_000_000;
    run(
        records,
        args.length > 1 ? Compression.valueOf(args[1]) : Compression.NONE,
        args.length > 2 ? Integer.parseInt(args[2]) : 3);
  }

  private static void run(int records, Compression compression, int zstdLevel) {
    try (FakeBroker broker = FakeBroker.startCountingOnly();
        Producer p =
            Producer.builder()
                .bootstrapServers(broker.address())
                .compression(compression)
                .zstdLevel(zstdLevel)
                .build()) {
      // Distinct random lowercase values: about what zstd gets from text, never degenerate.
      Random rnd = new Random(42);
      byte[][] values = new byte[1024][VALUE_BYTES];
      for (byte[] value : values) {
        for (int i = 0; i < value.length; i++) {
          value[i] = (byte) ('a' + rnd.nextInt(26));
        }
      }
      int warmup = Math.max(1, records / 5);
      sendAll(p, warmup, values);
      Map<String, Long> cpuBefore = cpuNsByThread();
      long start = System.nanoTime();
      CompletableFuture<RecordMetadata> last = sendAll(p, records, values);
      double seconds = (System.nanoTime() - start) / 1e9;
      Map<String, Long> cpuAfter = cpuNsByThread();
      System.out.printf(
          "producer smoke (%s%s): %,d records of %d bytes in %.2f s = %,.0f records/s (%.1f MB/s of"
              + " values)%n",
          compression,
          compression == Compression.ZSTD ? " level " + zstdLevel : "",
          records,
          VALUE_BYTES,
          seconds,
          records / seconds,
          records * (double) VALUE_BYTES / seconds / 1e6);
      StringBuilder cpu = new StringBuilder("  CPU per record:");
      cpuAfter.forEach(
          (thread, ns) -> {
            long used = ns - cpuBefore.getOrDefault(thread, 0L);
            if (used > 0) {
              cpu.append(String.format(" %s %.0f ns,", thread, used / (double) records));
            }
          });
      System.out.println(cpu);
      assertThat(last.join().offset()).isEqualTo(warmup + records - 1L);
      assertThat(broker.storedRecordCount()).isEqualTo(warmup + (long) records);
    }
  }

  /** CPU time so far of the sending thread, the producer's threads and the fake broker's. */
  private static Map<String, Long> cpuNsByThread() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<String, Long> cpu = new TreeMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      if (t == Thread.currentThread()
          || name.startsWith(ProducerThreads.NAME_PREFIX)
          || name.startsWith("fake-broker")) {
        String role = t == Thread.currentThread() ? "sender" : name.replaceAll("-\\d+", "");
        long ns = mx.getThreadCpuTime(t.getId());
        if (ns > 0) {
          cpu.merge(role, ns, Long::sum);
        }
      }
    }
    return cpu;
  }

  private static CompletableFuture<RecordMetadata> sendAll(Producer p, int n, byte[][] values) {
    CompletableFuture<RecordMetadata> last = null;
    for (int i = 0; i < n; i++) {
      last = p.send("smoke", null, values[i & (values.length - 1)]);
    }
    try {
      p.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return last;
  }
}
