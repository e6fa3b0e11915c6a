package io.ordo.perf.platform;

import io.ordo.perf.BenchArgs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Takes a known share of the machine's CPU for a while, to see how a latency figure moves when the
 * cores are busier: {@code --threads} threads, each busy {@code --busy-ms} and then asleep {@code
 * --idle-ms}, for {@code --seconds}. With 2 threads, 3 ms busy and 7 ms idle it takes about 0.6 of
 * a core. Example, beside the write-path floor:
 *
 * <pre>
 * java -cp perf/target/benchmarks.jar io.ordo.perf.platform.CpuBurner --threads 2 --busy-ms 3 \
 *     --idle-ms 7 --seconds 9 &amp;
 * java -cp perf/target/benchmarks.jar io.ordo.perf.platform.WritePathFloor --dir /var/tmp \
 *     --rate 500000 --seconds 5 --warmup-seconds 2 --rounds 1
 * </pre>
 */
public final class CpuBurner {
  private CpuBurner() {}

  public static void main(String[] args) throws InterruptedException {
    String usage = "CpuBurner [--threads N] [--busy-ms N] [--idle-ms N] [--seconds N]";
    BenchArgs a = BenchArgs.parse(args, usage, "--threads", "--busy-ms", "--idle-ms", "--seconds");
    int threads = a.intValue("--threads", 1);
    long busyNs = TimeUnit.MILLISECONDS.toNanos(a.longValue("--busy-ms", 3));
    long idleMs = a.longValue("--idle-ms", 7);
    long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.longValue("--seconds", 10));
    if (threads < 1 || busyNs <= 0 || idleMs < 0) {
      System.err.println(usage);
      System.exit(2);
    }
    long[] spins = new long[threads];
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int index = t;
      Thread th =
          new Thread(
              () -> {
                while (System.nanoTime() < endNs) {
                  long until = System.nanoTime() + busyNs;
                  while (System.nanoTime() < until) {
                    spins[index]++;
                  }
                  try {
                    Thread.sleep(idleMs);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "cpu-burner-" + t);
      th.start();
      all.add(th);
    }
    long total = 0;
    for (int t = 0; t < threads; t++) {
      all.get(t).join();
      total += spins[t];
    }
    System.out.printf(
        "burner: %d threads, %d ms busy / %d ms idle, %d spins%n",
        threads, TimeUnit.NANOSECONDS.toMillis(busyNs), idleMs, total);
  }
}
