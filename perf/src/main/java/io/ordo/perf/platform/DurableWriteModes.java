package io.ordo.perf.platform;

import com.sun.nio.file.ExtendedOpenOption;
import io.ordo.perf.BenchArgs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.HdrHistogram.Histogram;

/**
 * How long one durable append takes, write and flush together, in three ways of making a write
 * durable on a file already zero-filled and fsynced (a prepared segment): {@code write + fdatasync}
 * (what the log does), a write on a channel opened with {@code DSYNC} (O_DSYNC: the kernel flushes
 * inside the write), and {@code O_DIRECT + O_DSYNC} writes of whole aligned blocks (the partial
 * last block written again with the next append, as a database's write-ahead log does). Appends of
 * {@code --write-bytes} at consecutive positions, the three modes taking turns op by op (the order
 * rotated each time) so that all see the same moments of a noisy machine. Prints each mode's
 * percentiles and its ratio to {@code write + fdatasync}.
 *
 * <pre>
 * java -cp perf/target/benchmarks.jar io.ordo.perf.platform.DurableWriteModes \
 *     --dir /var/tmp/ordo-fsync --write-bytes 1000,4096,65536 --ops 2000
 * </pre>
 */
public final class DurableWriteModes {
  private DurableWriteModes() {}

  public static void main(String[] args) throws IOException {
    String usage =
        "DurableWriteModes --dir DIR [--write-bytes N[,N...]] [--ops N per mode and size]";
    BenchArgs a = BenchArgs.parse(args, usage, "--dir", "--write-bytes", "--ops");
    Path dir = a.directory("--dir", usage);
    int ops = a.intValue("--ops", 2000);
    for (int writeBytes : a.intList("--write-bytes", "1000,4096,65536")) {
      run(dir, writeBytes, ops);
    }
  }

  /** One way of appending durably; {@link #append} returns the nanoseconds it took. */
  private abstract static class Mode implements AutoCloseable {
    final String name;
    final FileChannel channel;
    final Histogram latency = new Histogram(60_000_000_000L, 3);
    long position;

    Mode(String name, Path file, long size, OpenOption... extra) throws IOException {
      this.name = name;
      try (FileChannel ch =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ZeroFill.zeroFill(ch, size);
      }
      List<OpenOption> options =
          new ArrayList<>(List.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
      options.addAll(List.of(extra));
      this.channel = FileChannel.open(file, options.toArray(OpenOption[]::new));
    }

    abstract void write(ByteBuffer data) throws IOException;

    final void append(ByteBuffer data) throws IOException {
      long t0 = System.nanoTime();
      write(data.duplicate());
      latency.recordValue(System.nanoTime() - t0);
      position += data.remaining();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  private static void run(Path dir, int writeBytes, int ops) throws IOException {
    ByteBuffer data = ByteBuffer.allocateDirect(writeBytes);
    byte[] noise = new byte[writeBytes];
    ThreadLocalRandom.current().nextBytes(noise);
    data.put(noise).flip();
    long size = (long) writeBytes * ops + (1 << 20);
    int block = (int) Files.getFileStore(dir).getBlockSize();
    List<Path> files =
        List.of(dir.resolve("fdatasync.bin"), dir.resolve("dsync.bin"), dir.resolve("direct.bin"));
    try (Mode fdatasync =
            new Mode("write+fdatasync", files.get(0), size) {
              @Override
              void write(ByteBuffer b) throws IOException {
                writeFully(channel, b, position);
                channel.force(false);
              }
            };
        Mode dsync =
            new Mode("O_DSYNC write", files.get(1), size, StandardOpenOption.DSYNC) {
              @Override
              void write(ByteBuffer b) throws IOException {
                writeFully(channel, b, position);
              }
            };
        Mode direct = new DirectMode(files.get(2), size, block, writeBytes)) {
      Mode[] modes = {fdatasync, dsync, direct};
      for (int i = 0; i < ops; i++) {
        for (int m = 0; m < modes.length; m++) {
          modes[(i + m) % modes.length].append(data);
        }
      }
      System.out.printf(
          Locale.ROOT, "append %d bytes durably, %d each, block %d:%n", writeBytes, ops, block);
      for (Mode m : modes) {
        System.out.printf(
            Locale.ROOT,
            "  %-22s p50 %.2f p99 %.2f p99.9 %.2f max %.2f ms | p50 %.2f p99 %.2f of write+fdatasync%n",
            m.name,
            m.latency.getValueAtPercentile(50) / 1e6,
            m.latency.getValueAtPercentile(99) / 1e6,
            m.latency.getValueAtPercentile(99.9) / 1e6,
            m.latency.getMaxValue() / 1e6,
            (double) m.latency.getValueAtPercentile(50)
                / fdatasync.latency.getValueAtPercentile(50),
            (double) m.latency.getValueAtPercentile(99)
                / fdatasync.latency.getValueAtPercentile(99));
      }
    } finally {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
    }
  }

  /**
   * O_DIRECT + O_DSYNC: keeps the file's last partial block in an aligned buffer and writes, for
   * each append, the blocks from that partial one to the end of the new data.
   */
  private static final class DirectMode extends Mode {
    private final int block;
    private final ByteBuffer staging;

    DirectMode(Path file, long size, int block, int writeBytes) throws IOException {
      super("O_DIRECT+O_DSYNC", file, size, StandardOpenOption.DSYNC, ExtendedOpenOption.DIRECT);
      this.block = block;
      int capacity = ((writeBytes + 2 * block - 1) / block + 1) * block;
      this.staging = ByteBuffer.allocateDirect(capacity + block).alignedSlice(block);
    }

    @Override
    void write(ByteBuffer b) throws IOException {
      int partial = (int) (position % block);
      long blockStart = position - partial;
      // staging holds [blockStart, position) from the previous append; add the new bytes
      staging.limit(staging.capacity()).position(partial);
      staging.put(b);
      int end = staging.position();
      int rounded = (end + block - 1) / block * block;
      for (int i = end; i < rounded; i++) {
        staging.put(i, (byte) 0);
      }
      staging.position(0).limit(rounded);
      writeFully(channel, staging, blockStart);
      // keep the new partial block at the front for the next append
      int keepFrom = end / block * block;
      int keep = end - keepFrom;
      for (int i = 0; i < keep; i++) {
        staging.put(i, staging.get(keepFrom + i));
      }
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long at = position;
    while (b.hasRemaining()) {
      at += ch.write(b, at);
    }
  }
}
