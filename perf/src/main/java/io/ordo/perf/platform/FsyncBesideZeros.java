package io.ordo.perf.platform;

import io.ordo.perf.BenchArgs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * What a writer of zeros does to the appends' fdatasyncs on the same disk, by the size of its
 * chunks: the question behind the segment preparer's chunk size. The foreground thread overwrites
 * {@code --write-bytes} of a prepared file every {@code --interval-us} and fdatasyncs each write
 * (the sequencer's group commit); a background thread writes zeros to another file at {@code
 * --zeros-rate} bytes a second, fdatasyncing after every chunk of {@code --chunk-bytes} (0: no
 * background writer); {@code --zeros-io direct} writes them with O_DIRECT instead of through the
 * page cache ({@code buffered,direct}: both in turn). The chunk sizes take turns, {@code --rounds}
 * times, so each sees the same moments of a noisy machine. Prints the percentiles of the
 * foreground's write + fdatasync.
 *
 * <pre>
 * java -cp perf/target/benchmarks.jar io.ordo.perf.platform.FsyncBesideZeros --dir /var/tmp \
 *     --chunk-bytes 0,1048576,262144,131072,65536 --write-bytes 10240 --zeros-rate 10000000
 * </pre>
 */
public final class FsyncBesideZeros {
  private FsyncBesideZeros() {}

  public static void main(String[] args) throws Exception {
    String usage =
        "FsyncBesideZeros --dir DIR [--chunk-bytes N[,N...]] [--write-bytes N] [--interval-us N]"
            + " [--zeros-rate BYTES_PER_S] [--zeros-io buffered|direct[,...]] [--seconds N]"
            + " [--rounds N]";
    BenchArgs a =
        BenchArgs.parse(
            args,
            usage,
            "--dir",
            "--chunk-bytes",
            "--write-bytes",
            "--interval-us",
            "--zeros-rate",
            "--zeros-io",
            "--seconds",
            "--rounds");
    Path dir = a.directory("--dir", usage);
    int writeBytes = a.intValue("--write-bytes", 10240);
    long intervalNs = a.longValue("--interval-us", 1000) * 1000;
    long zerosRate = a.longValue("--zeros-rate", 10_000_000);
    int seconds = a.intValue("--seconds", 8);
    int rounds = a.intValue("--rounds", 2);
    String[] ios = a.string("--zeros-io", "buffered").split(",");
    for (String io : ios) {
      if (!io.equals("buffered") && !io.equals("direct")) {
        throw new IllegalArgumentException("--zeros-io takes buffered or direct: " + io);
      }
    }
    int[] chunks = a.intList("--chunk-bytes", "0,1048576,131072");
    boolean anyDirect = List.of(ios).contains("direct");
    for (int chunk : chunks) {
      if (anyDirect && chunk % ZeroFill.BLOCK != 0) {
        throw new IllegalArgumentException(
            "--zeros-io direct needs --chunk-bytes in whole blocks of "
                + ZeroFill.BLOCK
                + ": "
                + chunk);
      }
    }
    for (int r = 0; r < rounds; r++) {
      for (int chunk : chunks) {
        for (String io : chunk > 0 ? ios : new String[] {"buffered"}) {
          run(dir, chunk, io.equals("direct"), writeBytes, intervalNs, zerosRate, seconds);
        }
      }
    }
  }

  private static void run(
      Path dir,
      int chunk,
      boolean direct,
      int writeBytes,
      long intervalNs,
      long zerosRate,
      int seconds)
      throws Exception {
    Path fgFile = dir.resolve("fsync-beside-zeros.fg");
    Path bgFile = dir.resolve("fsync-beside-zeros.bg");
    long ops = seconds * 1_000_000_000L / intervalNs;
    Histogram fg = new Histogram(60_000_000_000L, 3);
    boolean[] stop = {false};
    IOException[] bgFailure = new IOException[1];
    Thread bg = null;
    try (FileChannel ch = ZeroFill.openPrepared(fgFile, ops * writeBytes);
        FileChannel zeros = ZeroFill.openEmpty(bgFile, direct)) {
      if (chunk > 0) {
        bg =
            new Thread(
                () -> {
                  try {
                    writeZeros(zeros, chunk, direct, zerosRate, stop);
                  } catch (IOException e) {
                    bgFailure[0] = e;
                  }
                },
                "zeros");
        bg.start();
      }
      try {
        ByteBuffer data = ByteBuffer.allocateDirect(writeBytes);
        long start = System.nanoTime();
        for (long n = 0; n < ops; n++) {
          long now = Timing.awaitNanoTime(start + n * intervalNs);
          data.clear();
          long at = n * writeBytes;
          while (data.hasRemaining()) {
            at += ch.write(data, at);
          }
          ch.force(false);
          fg.recordValue(System.nanoTime() - now);
        }
      } finally {
        // the zeros writer stops before its channel closes
        synchronized (stop) {
          stop[0] = true;
        }
        if (bg != null) {
          bg.join();
        }
      }
    } finally {
      Files.deleteIfExists(fgFile);
      Files.deleteIfExists(bgFile);
    }
    if (bgFailure[0] != null) {
      throw bgFailure[0];
    }
    System.out.printf(
        Locale.ROOT,
        "zeros %s, %d writes of %d bytes + fdatasync: %s%n",
        chunk > 0
            ? (direct ? "direct " : "")
                + "in chunks of "
                + chunk
                + " bytes at "
                + zerosRate
                + " bytes/s"
            : "none",
        fg.getTotalCount(),
        writeBytes,
        Timing.percentilesMs(fg));
  }

  /**
   * Zeros at {@code rate} bytes a second, one fdatasync per chunk, until {@code stop}; with {@code
   * direct} the file is open with O_DIRECT (the zeros go to the device, not the page cache).
   */
  private static void writeZeros(
      FileChannel ch, int chunk, boolean direct, long rate, boolean[] stop) throws IOException {
    ByteBuffer zeros =
        direct
            ? ByteBuffer.allocateDirect(chunk + ZeroFill.BLOCK).alignedSlice(ZeroFill.BLOCK)
            : ByteBuffer.allocateDirect(chunk);
    long start = System.nanoTime();
    long pos = 0;
    while (true) {
      synchronized (stop) {
        if (stop[0]) {
          return;
        }
      }
      zeros.clear().limit(chunk);
      while (zeros.hasRemaining()) {
        pos += ch.write(zeros, pos);
      }
      ch.force(false);
      long due = start + pos * 1_000_000_000L / rate;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }
}
