package io.ordo.perf.platform;

import io.ordo.perf.BenchArgs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Would more than one fsync in flight shorten the wait for durability? A writer appends {@code
 * --write-bytes} every {@code --interval-us} to a prepared (zero-filled, fsynced) file; {@code
 * --syncers} threads each loop: note the bytes written so far, {@code force(false)}, then publish
 * those bytes as durable. Records, per append, the time from when it was due to when an fsync that
 * started after it completed: what a request would wait for its acknowledgement. With one syncer a
 * request that arrives during an fsync waits for the rest of it and then a whole one; with two, the
 * next fsync may start while the first is still running. Runs each syncer count in turn, {@code
 * --rounds} times.
 *
 * <pre>
 * java -cp perf/target/benchmarks.jar io.ordo.perf.platform.ConcurrentFsync \
 *     --dir /var/tmp/ordo-fsync --syncers 1,2,3 --write-bytes 32768 --interval-us 500 --seconds 8
 * </pre>
 */
public final class ConcurrentFsync {
  private ConcurrentFsync() {}

  public static void main(String[] args) throws Exception {
    String usage =
        "ConcurrentFsync --dir DIR [--syncers N[,N...]] [--write-bytes N] [--interval-us N]"
            + " [--seconds N] [--rounds N]";
    BenchArgs a =
        BenchArgs.parse(
            args,
            usage,
            "--dir",
            "--syncers",
            "--write-bytes",
            "--interval-us",
            "--seconds",
            "--rounds");
    Path dir = a.directory("--dir", usage);
    int size = a.intValue("--write-bytes", 32768);
    long intervalNs = a.longValue("--interval-us", 500) * 1000;
    int seconds = a.intValue("--seconds", 8);
    int rounds = a.intValue("--rounds", 2);
    for (int r = 0; r < rounds; r++) {
      for (int syncers : a.intList("--syncers", "1,2")) {
        run(dir.resolve("concurrent-fsync.bin"), syncers, size, intervalNs, seconds);
      }
    }
  }

  private static void run(Path file, int syncers, int size, long intervalNs, int seconds)
      throws Exception {
    long appends = seconds * 1_000_000_000L / intervalNs;
    long[] dueNs = new long[(int) appends];
    Histogram wait = new Histogram(60_000_000_000L, 3);
    AtomicLong written = new AtomicLong();
    AtomicLong durable = new AtomicLong();
    Thread[] threads = new Thread[syncers];
    try (FileChannel ch = ZeroFill.openPrepared(file, appends * size)) {
      boolean[] stop = {false};
      for (int i = 0; i < syncers; i++) {
        threads[i] =
            new Thread(
                () -> syncLoop(ch, written, durable, dueNs, size, wait, stop), "syncer-" + i);
        threads[i].start();
      }
      ByteBuffer data = ByteBuffer.allocateDirect(size);
      long start = System.nanoTime();
      for (int n = 0; n < appends; n++) {
        long due = start + n * intervalNs;
        Timing.awaitNanoTime(due);
        dueNs[n] = due;
        data.clear();
        long at = (long) n * size;
        while (data.hasRemaining()) {
          at += ch.write(data, at);
        }
        written.set((long) (n + 1) * size);
      }
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (durable.get() < appends * size && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      synchronized (stop) {
        stop[0] = true;
      }
      for (Thread t : threads) {
        t.join();
      }
    } finally {
      Files.deleteIfExists(file);
    }
    synchronized (wait) {
      System.out.printf(
          Locale.ROOT,
          "syncers %d, %d appends of %d bytes every %d us, due to durable: %s%n",
          syncers,
          wait.getTotalCount(),
          size,
          intervalNs / 1000,
          Timing.percentilesMs(wait));
    }
  }

  private static void syncLoop(
      FileChannel ch,
      AtomicLong written,
      AtomicLong durable,
      long[] dueNs,
      int size,
      Histogram wait,
      boolean[] stop) {
    try {
      while (true) {
        synchronized (stop) {
          if (stop[0]) {
            return;
          }
        }
        long w = written.get();
        if (w <= durable.get()) {
          LockSupport.parkNanos(20_000);
          continue;
        }
        ch.force(false);
        long now = System.nanoTime();
        long d;
        while ((d = durable.get()) < w) {
          if (durable.compareAndSet(d, w)) {
            synchronized (wait) {
              for (long k = d / size; k < w / size; k++) {
                wait.recordValue(now - dueNs[(int) k]);
              }
            }
            break;
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
