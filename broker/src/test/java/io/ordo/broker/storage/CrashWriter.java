package io.ordo.broker.storage;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;

/**
 * A child process for {@link LogCrashTest}: appends groups of batches whose content is a function
 * of (seed, offset) to the log in a directory, with one fsync per group, and after each group
 * prints {@code durable <offset>} to stdout, flushed, until it is killed.
 *
 * <p>Arguments: log directory, seed, term.
 */
public final class CrashWriter {
  private CrashWriter() {}

  static LogConfig config(Path dir) {
    return LogConfig.builder(dir)
        .segmentBytes(48 * 1024)
        .indexIntervalBytes(1024)
        .fsyncPolicy(FsyncPolicy.EVERY_GROUP)
        .checkpointIntervalMs(200)
        .build();
  }

  static TestBatches batches(long seed) {
    return new TestBatches(seed, 8, 200);
  }

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    long term = Long.parseLong(args[2]);
    ManualClock clock = new ManualClock(1_000_000 + term * 1_000_000);
    TestBatches batches = batches(seed);
    Random random = new Random(seed ^ (term * 31));
    PrintStream out = System.out;
    try (Log log = Log.open(config(dir), clock)) {
      out.println("opened " + log.nextOffset());
      out.flush();
      while (true) {
        int n = 1 + random.nextInt(8);
        ByteBuffer[] group = new ByteBuffer[n];
        long next = log.nextOffset();
        for (int i = 0; i < n; i++) {
          group[i] = batches.directBatch(next, term, clock.nowMs());
          next += batches.recordCount(next);
        }
        log.append(group, n);
        log.onGroupEnd(clock.advance(10));
        out.println("durable " + log.durableOffset());
        out.flush();
      }
    }
  }
}
