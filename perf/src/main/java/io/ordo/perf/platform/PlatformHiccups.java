package io.ordo.perf.platform;

import io.ordo.perf.BenchArgs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The baseline for latency figures on a shared machine: how long the platform itself stalls while a
 * benchmark runs beside it. Two probes run for {@code --seconds}:
 *
 * <ul>
 *   <li>scheduling: a thread asks to sleep 1 ms and records how much longer it took to run again (a
 *       hypervisor pause, CPU saturation or a kernel stall shows here, whatever the disk does);
 *   <li>disk: every 10 ms, a 4 KiB append to a file in {@code --dir} and an fdatasync, timed (the
 *       cost an fsync-before-ack log pays; small enough not to load the disk: 400 KiB/s).
 * </ul>
 *
 * Prints one line per probe with the percentiles, in microseconds. An Ordo p99 far above the disk
 * probe's p99 is Ordo's own; one that follows the probe's stalls is the platform's.
 *
 * <pre>
 * java -cp perf/target/benchmarks.jar io.ordo.perf.platform.PlatformHiccups --seconds 10 --dir /tmp
 * </pre>
 */
public final class PlatformHiccups {
  private static final long MAX_US = TimeUnit.SECONDS.toMicros(60);
  private static final long SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long DISK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

  private PlatformHiccups() {}

  public static void main(String[] args) throws Exception {
    String usage = "PlatformHiccups [--seconds N (>0)] [--dir DIR]";
    BenchArgs a = BenchArgs.parse(args, usage, "--seconds", "--dir");
    long seconds = a.longValue("--seconds", 10);
    Path dir =
        Path.of(
            Objects.requireNonNullElse(a.string("--dir"), System.getProperty("java.io.tmpdir")));
    if (seconds <= 0) {
      System.err.println("usage: " + usage);
      System.exit(2);
    }
    long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    Histogram sched = new Histogram(MAX_US, 3);
    Histogram disk = new Histogram(MAX_US, 3);
    Path file = Files.createTempFile(dir, "ordo-hiccups", ".dat");
    Thread scheduler = new Thread(() -> probeScheduling(endNs, sched), "probe-scheduling");
    scheduler.setDaemon(true);
    scheduler.start();
    try {
      probeDisk(endNs, file, disk);
    } finally {
      Files.deleteIfExists(file);
    }
    scheduler.join();
    print("scheduling (1 ms sleep overshoot)", sched);
    print("disk (4 KiB append + fdatasync)", disk);
  }

  private static void probeScheduling(long endNs, Histogram h) {
    while (true) {
      long before = System.nanoTime();
      if (before >= endNs) {
        return;
      }
      LockSupport.parkNanos(SLEEP_NS);
      long overshootNs = System.nanoTime() - before - SLEEP_NS;
      h.recordValue(Math.min(Math.max(overshootNs / 1000, 0), MAX_US));
    }
  }

  private static void probeDisk(long endNs, Path file, Histogram h) throws IOException {
    ByteBuffer page = ByteBuffer.allocateDirect(4096);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      long next = System.nanoTime();
      while (next < endNs) {
        page.clear();
        while (page.hasRemaining()) {
          ch.write(page);
        }
        long before = System.nanoTime();
        ch.force(false);
        h.recordValue(Math.min((System.nanoTime() - before) / 1000, MAX_US));
        next += DISK_INTERVAL_NS;
        long waitNs = next - System.nanoTime();
        if (waitNs > 0) {
          LockSupport.parkNanos(waitNs);
        } else {
          next = System.nanoTime();
        }
      }
    }
  }

  private static void print(String what, Histogram h) {
    System.out.printf(
        Locale.ROOT,
        "platform %s: %d samples, us: p50 %d, p99 %d, p99.9 %d, max %d%n",
        what,
        h.getTotalCount(),
        h.getValueAtPercentile(50),
        h.getValueAtPercentile(99),
        h.getValueAtPercentile(99.9),
        h.getMaxValue());
  }
}
