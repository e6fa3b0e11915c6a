package io.ordo.perf.storage;

import io.ordo.broker.storage.FsyncPolicy;
import io.ordo.broker.storage.Log;
import io.ordo.broker.storage.LogClock;
import io.ordo.broker.storage.LogConfig;
import io.ordo.perf.BenchArgs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Measures, in one run on one disk, how close the log's group-fsync append path comes to the raw
 * sequential write bandwidth of the disk:
 *
 * <ol>
 *   <li>raw, fsync per group: {@code FileChannel} writes of one group's bytes to a fresh file, one
 *       {@code force} per group;
 *   <li>raw, no fsync: the same writes and one {@code force} at the end;
 *   <li>log: {@link Log#append(ByteBuffer[], int)} of pre-built batches of records (stamped per
 *       group, as the sequencer does) and {@link Log#onGroupEnd} with {@link
 *       FsyncPolicy#EVERY_GROUP}, with the default settings (segment files prepared ahead, so the
 *       disk also takes the preparer's zeros);
 *   <li>log, no preallocation: the same with {@link LogConfig#preallocate()} off.
 * </ol>
 *
 * The four alternate {@code --runs} times; the medians and the ratios log / raw (fsync per group)
 * are printed at the end.
 *
 * <pre>
 * java -cp perf/target/benchmarks.jar io.ordo.perf.storage.LogAppendThroughput \
 *     --dir /var/tmp/ordo-bench --total-mb 1024 --batch-kb 16 --group-batches 64 --record-size 100 \
 *     --segment-mb 256
 * </pre>
 */
public final class LogAppendThroughput {
  private final Path dir;
  private final long totalBytes;
  private final int batchBytes;
  private final int groupBatches;
  private final int recordSize;
  private final int runs;
  private final long segmentBytes;

  private LogAppendThroughput(
      Path dir,
      long totalMb,
      int batchKb,
      int groupBatches,
      int recordSize,
      int runs,
      long segmentMb) {
    this.dir = dir;
    this.segmentBytes = segmentMb * 1024 * 1024;
    this.totalBytes = totalMb * 1024 * 1024;
    this.batchBytes = batchKb * 1024;
    this.groupBatches = groupBatches;
    this.recordSize = recordSize;
    this.runs = runs;
  }

  /** One measured phase: bytes and records written in a time. */
  private record Result(long bytes, long records, long nanos) {
    double mbPerSec() {
      return bytes / (1024.0 * 1024.0) / (nanos / 1e9);
    }

    double recordsPerSec() {
      return records / (nanos / 1e9);
    }
  }

  public static void main(String[] args) throws IOException {
    BenchArgs a =
        BenchArgs.parse(
            args,
            "LogAppendThroughput --dir DIR [--total-mb 1024] [--batch-kb 16]"
                + " [--group-batches 64] [--record-size 100] [--runs 3] [--segment-mb 256]",
            "--dir",
            "--total-mb",
            "--batch-kb",
            "--group-batches",
            "--record-size",
            "--runs",
            "--segment-mb");
    Path dir = a.string("--dir") == null ? null : Path.of(a.string("--dir"));
    long totalMb = a.longValue("--total-mb", 1024);
    int batchKb = a.intValue("--batch-kb", 16);
    int groupBatches = a.intValue("--group-batches", 64);
    int recordSize = a.intValue("--record-size", 100);
    int runs = a.intValue("--runs", 3);
    long segmentMb = a.longValue("--segment-mb", 256);
    if (dir == null) {
      dir = Files.createTempDirectory("ordo-log-throughput");
    }
    Files.createDirectories(dir);
    new LogAppendThroughput(dir, totalMb, batchKb, groupBatches, recordSize, runs, segmentMb).run();
  }

  private void run() throws IOException {
    BatchTemplates templates = new BatchTemplates(groupBatches, batchBytes, recordSize, 7);
    long groupBytes = (long) templates.batchBytes() * groupBatches;
    long groupRecords = (long) templates.recordsPerBatch() * groupBatches;
    long groups = Math.max(1, totalBytes / groupBytes);
    System.out.printf(
        Locale.ROOT,
        "dir %s: %d groups of %d batches of %d bytes (%d records of %d bytes each), %.0f MiB per"
            + " phase, %d runs%n",
        dir,
        groups,
        groupBatches,
        templates.batchBytes(),
        templates.recordsPerBatch(),
        recordSize,
        groups * groupBytes / (1024.0 * 1024.0),
        runs);
    // one short unmeasured pass through both paths, so the JIT has compiled them
    long warmupGroups = Math.max(1, Math.min(groups, (64L << 20) / groupBytes));
    raw(warmupGroups, groupBytes, groupRecords, false);
    log(warmupGroups, templates, true);
    log(warmupGroups, templates, false);
    List<Result> rawSynced = new ArrayList<>();
    List<Result> rawUnsynced = new ArrayList<>();
    List<Result> logged = new ArrayList<>();
    List<Result> loggedPlain = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      Result a = raw(groups, groupBytes, groupRecords, true);
      Result b = raw(groups, groupBytes, groupRecords, false);
      // the two log phases take turns at going first
      boolean preallocatedFirst = run % 2 == 1;
      Result first = log(groups, templates, preallocatedFirst);
      Result second = log(groups, templates, !preallocatedFirst);
      Result c = preallocatedFirst ? first : second;
      Result d = preallocatedFirst ? second : first;
      rawSynced.add(a);
      rawUnsynced.add(b);
      logged.add(c);
      loggedPlain.add(d);
      System.out.printf(
          Locale.ROOT,
          "run %d: raw fsync/group %s | raw one fsync %s | log %s, /raw %.2f | log without"
              + " preallocation %s, /raw %.2f%n",
          run,
          format(a),
          format(b),
          format(c),
          c.mbPerSec() / a.mbPerSec(),
          format(d),
          d.mbPerSec() / a.mbPerSec());
    }
    double rawMedian = median(rawSynced, Result::mbPerSec);
    double logMedian = median(logged, Result::mbPerSec);
    double plainMedian = median(loggedPlain, Result::mbPerSec);
    System.out.printf(
        Locale.ROOT,
        "median: raw fsync/group %.1f MB/s %.0f rec/s | raw one fsync %.1f MB/s %.0f rec/s |"
            + " log %.1f MB/s %.0f rec/s, /raw %.2f | log without preallocation %.1f MB/s %.0f"
            + " rec/s, /raw %.2f%n",
        rawMedian,
        median(rawSynced, Result::recordsPerSec),
        median(rawUnsynced, Result::mbPerSec),
        median(rawUnsynced, Result::recordsPerSec),
        logMedian,
        median(logged, Result::recordsPerSec),
        logMedian / rawMedian,
        plainMedian,
        median(loggedPlain, Result::recordsPerSec),
        plainMedian / rawMedian);
  }

  private static String format(Result r) {
    return String.format(Locale.ROOT, "%.1f MB/s %.0f rec/s", r.mbPerSec(), r.recordsPerSec());
  }

  private interface Metric {
    double of(Result r);
  }

  private static double median(List<Result> results, Metric metric) {
    double[] values = results.stream().mapToDouble(metric::of).sorted().toArray();
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }

  /** Sequential writes of whole groups to a fresh file. */
  private Result raw(long groups, long groupBytes, long groupRecords, boolean fsyncEachGroup)
      throws IOException {
    Path file = dir.resolve("raw.bin");
    Files.deleteIfExists(file);
    ByteBuffer group = ByteBuffer.allocateDirect(Math.toIntExact(groupBytes));
    byte[] random = new byte[Math.toIntExact(groupBytes)];
    new Random(1).nextBytes(random);
    group.put(random).flip();
    long start;
    long end;
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      start = System.nanoTime();
      for (long g = 0; g < groups; g++) {
        group.clear();
        while (group.hasRemaining()) {
          ch.write(group);
        }
        if (fsyncEachGroup) {
          ch.force(false);
        }
      }
      if (!fsyncEachGroup) {
        ch.force(false);
      }
      end = System.nanoTime();
    }
    Files.delete(file);
    return new Result(groups * groupBytes, groups * groupRecords, end - start);
  }

  /** The log's append path, one fsync per group. */
  private Result log(long groups, BatchTemplates templates, boolean preallocate)
      throws IOException {
    Path logDir = dir.resolve("log");
    deleteTree(logDir);
    LogConfig config =
        LogConfig.builder(logDir)
            .fsyncPolicy(FsyncPolicy.EVERY_GROUP)
            .fileDeleteDelayMs(0)
            .segmentBytes(segmentBytes)
            .preallocate(preallocate)
            .build();
    long start;
    long end;
    try (Log log = Log.open(config, LogClock.SYSTEM)) {
      start = System.nanoTime();
      for (long g = 0; g < groups; g++) {
        long now = System.currentTimeMillis();
        ByteBuffer[] group = templates.stamp(log.nextOffset(), 1, now);
        log.append(group, group.length);
        log.onGroupEnd(now);
      }
      end = System.nanoTime();
    }
    deleteTree(logDir);
    long bytes = groups * templates.count() * (long) templates.batchBytes();
    long records = groups * templates.count() * (long) templates.recordsPerBatch();
    return new Result(bytes, records, end - start);
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
