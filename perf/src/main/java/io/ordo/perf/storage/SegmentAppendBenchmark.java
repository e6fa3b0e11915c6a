package io.ordo.perf.storage;

import io.ordo.broker.storage.FsyncPolicy;
import io.ordo.broker.storage.Log;
import io.ordo.broker.storage.LogClock;
import io.ordo.broker.storage.LogConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appends groups of 16 KiB batches of 100-byte records to a {@link Log} in a temporary directory,
 * one {@link Log#onGroupEnd} per group, with and without an fsync per group. The score is batches
 * per second (multiply by 16 KiB for bytes). Old segments are deleted by retention as the run goes,
 * and the directory at the end of the trial.
 *
 * <pre>java -jar perf/target/benchmarks.jar SegmentAppendBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@OperationsPerInvocation(SegmentAppendBenchmark.GROUP_BATCHES)
public class SegmentAppendBenchmark {
  static final int GROUP_BATCHES = 16;
  private static final int BATCH_BYTES = 16 * 1024;
  private static final int RECORD_BYTES = 100;

  @Param({"NEVER", "EVERY_GROUP"})
  public FsyncPolicy fsyncPolicy;

  private Path dir;
  private Log log;
  private BatchTemplates templates;
  private long groups;

  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = Files.createTempDirectory("ordo-segment-bench");
    LogConfig config =
        LogConfig.builder(dir)
            .segmentBytes(64 * 1024 * 1024)
            .retentionBytes(256L * 1024 * 1024)
            .fileDeleteDelayMs(0)
            .fsyncPolicy(fsyncPolicy)
            .build();
    log = Log.open(config, LogClock.SYSTEM);
    templates = new BatchTemplates(GROUP_BATCHES, BATCH_BYTES, RECORD_BYTES, 42);
  }

  @Benchmark
  public boolean appendGroup() throws IOException {
    long now = System.currentTimeMillis();
    ByteBuffer[] group = templates.stamp(log.nextOffset(), 1, now);
    log.append(group, group.length);
    if (++groups % 256 == 0) {
      log.enforceRetention(now);
    }
    return log.onGroupEnd(now);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    log.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
