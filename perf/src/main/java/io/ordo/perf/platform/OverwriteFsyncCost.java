package io.ordo.perf.platform;

import io.ordo.perf.BenchArgs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.HdrHistogram.Histogram;

/**
 * What an fdatasync costs after an append (the file grows) against after an overwrite of a region
 * already written and fsynced (the file keeps its size and blocks): the question behind preparing
 * segment files ({@code segment.preallocate}). One write of {@code --write-bytes} then one {@code
 * force(false)}, alternating between the two files op by op (the order flipped each time), so both
 * see the same moments of a noisy machine. Prints the percentiles of the force calls per mode and
 * the ratio overwrite / append.
 *
 * <pre>
 * java -cp perf/target/benchmarks.jar io.ordo.perf.platform.OverwriteFsyncCost \
 *     --dir /var/tmp/ordo-fsync --write-bytes 4096,65536,1048576 --ops 2000
 * </pre>
 */
public final class OverwriteFsyncCost {
  private OverwriteFsyncCost() {}

  public static void main(String[] args) throws IOException {
    String usage =
        "OverwriteFsyncCost --dir DIR [--write-bytes N[,N...]] [--ops N per mode and size]";
    BenchArgs a = BenchArgs.parse(args, usage, "--dir", "--write-bytes", "--ops");
    Path dir = a.directory("--dir", usage);
    int ops = a.intValue("--ops", 2000);
    for (int writeBytes : a.intList("--write-bytes", "4096,65536")) {
      run(dir, writeBytes, ops);
    }
  }

  private static void run(Path dir, int writeBytes, int ops) throws IOException {
    Path appendFile = dir.resolve("append.bin");
    Path overwriteFile = dir.resolve("overwrite.bin");
    ByteBuffer data = ByteBuffer.allocateDirect(writeBytes);
    byte[] noise = new byte[writeBytes];
    ThreadLocalRandom.current().nextBytes(noise);
    data.put(noise).flip();
    Histogram append = new Histogram(60_000_000_000L, 3);
    Histogram overwrite = new Histogram(60_000_000_000L, 3);
    try (FileChannel ap = ZeroFill.openEmpty(appendFile);
        FileChannel ow = ZeroFill.openPrepared(overwriteFile, (long) writeBytes * ops)) {
      for (int i = 0; i < ops; i++) {
        long at = (long) i * writeBytes;
        if ((i & 1) == 0) {
          append.recordValue(writeAndForce(ap, data, at));
          overwrite.recordValue(writeAndForce(ow, data, at));
        } else {
          overwrite.recordValue(writeAndForce(ow, data, at));
          append.recordValue(writeAndForce(ap, data, at));
        }
      }
    } finally {
      Files.deleteIfExists(appendFile);
      Files.deleteIfExists(overwriteFile);
    }
    System.out.printf(
        Locale.ROOT,
        "write %d bytes + fdatasync, %d each: append %s | overwrite %s | overwrite/append p50 %.2f"
            + " p99 %.2f%n",
        writeBytes,
        ops,
        summary(append),
        summary(overwrite),
        (double) overwrite.getValueAtPercentile(50) / append.getValueAtPercentile(50),
        (double) overwrite.getValueAtPercentile(99) / append.getValueAtPercentile(99));
  }

  /** Writes the buffer at {@code position} and returns how long the force took, in ns. */
  private static long writeAndForce(FileChannel ch, ByteBuffer data, long position)
      throws IOException {
    ByteBuffer b = data.duplicate();
    while (b.hasRemaining()) {
      ch.write(b, position + b.position());
    }
    long t0 = System.nanoTime();
    ch.force(false);
    return System.nanoTime() - t0;
  }

  private static String summary(Histogram h) {
    return String.format(
        Locale.ROOT,
        "p50 %.2f p99 %.2f max %.2f ms",
        h.getValueAtPercentile(50) / 1e6,
        h.getValueAtPercentile(99) / 1e6,
        h.getMaxValue() / 1e6);
  }
}
