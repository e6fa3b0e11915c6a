package io.ordo.broker.storage;

import static io.ordo.broker.storage.LogTesting.batchesOf;
import static io.ordo.broker.storage.LogTesting.bytes;
import static io.ordo.broker.storage.LogTesting.visitAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded random walk of appends, reads, timestamp lookups, truncations, rolls, retention, reopens
 * and simulated crashes, checked after every step against a plain list of batches.
 */
class LogModelTest {
  @TempDir Path root;

  /** One stored batch as the model knows it. */
  private record Stored(long base, long next, long term, long timestampMs, byte[] bytes) {}

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void logMatchesTheModel() throws IOException {
    long seed = TestBatches.seed("LogModelTest");
    for (int run = 0; run < 4; run++) {
      new Walk(seed + run, root.resolve("run" + run)).run(1500);
    }
  }

  @Test
  @Tag("slow")
  @Timeout(value = 30, unit = TimeUnit.MINUTES)
  void logMatchesTheModelForManySeeds() throws IOException {
    long seed = TestBatches.seed("LogModelTest (slow)");
    for (int run = 0; run < 60; run++) {
      Path dir = root.resolve("run" + run);
      new Walk(seed + run, dir).run(3000);
      deleteTree(dir);
    }
  }

  /**
   * Replays the one walk a failure names ("seed N" in its message): {@code -Dordo.walk=N
   * [-Dordo.walk.steps=3000]}.
   */
  @Test
  @EnabledIfSystemProperty(named = "ordo.walk", matches = "-?\\d+")
  @Timeout(value = 30, unit = TimeUnit.MINUTES)
  void replayOneWalk() throws IOException {
    long seed = Long.parseLong(System.getProperty("ordo.walk"));
    new Walk(seed, root.resolve("replay")).run(Integer.getInteger("ordo.walk.steps", 3000));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** One random walk over one log directory. */
  private static final class Walk {
    private final long seed;
    private final Random random;
    private final LogConfig config;
    private final ManualClock clock = new ManualClock(1_000_000);
    private final TestBatches batches;
    private final List<Stored> model = new ArrayList<>();
    private long startOffset;
    private long term = 1;
    private long lastTerm;
    private Log log;
    private int step;
    private String lastOp = "";

    Walk(long seed, Path dir) {
      this.seed = seed;
      this.random = new Random(seed);
      this.batches = new TestBatches(seed, 1 + random.nextInt(8), 10 + random.nextInt(150));
      FsyncPolicy[] policies = FsyncPolicy.values();
      this.config =
          LogConfig.builder(dir)
              .segmentBytes(512 + random.nextInt(6000))
              .indexIntervalBytes(random.nextBoolean() ? 1 : 50 + random.nextInt(3000))
              .segmentMs(500 + random.nextInt(5000))
              .retentionBytes(random.nextBoolean() ? -1 : 2000 + random.nextInt(20_000))
              .retentionMs(random.nextBoolean() ? -1 : 2000 + random.nextInt(20_000))
              .fsyncPolicy(policies[random.nextInt(policies.length)])
              .fsyncIntervalMs(1 + random.nextInt(500))
              .checkpointIntervalMs(random.nextInt(3000))
              .fileDeleteDelayMs(random.nextInt(2000))
              .build();
    }

    void run(int steps) throws IOException {
      log = Log.open(config, clock);
      try {
        ArrayDeque<String> recent = new ArrayDeque<>();
        for (step = 0; step < steps; step++) {
          try {
            oneStep();
            if (recent.size() == 30) {
              recent.removeFirst();
            }
            recent.addLast(step + ": " + lastOp);
            checkEnds();
          } catch (AssertionError | RuntimeException | IOException e) {
            throw new AssertionError(
                "seed "
                    + seed
                    + ", step "
                    + step
                    + " ("
                    + lastOp
                    + "), config "
                    + config
                    + "; the steps before it:\n"
                    + String.join("\n", recent),
                e);
          }
        }
      } finally {
        log.close();
      }
    }

    private void oneStep() throws IOException {
      int op = random.nextInt(100);
      if (op < 35) {
        appendGroup();
      } else if (op < 45) {
        lastOp = "group end";
        log.onGroupEnd(clock.advance(random.nextInt(300)));
        if (config.fsyncPolicy() == FsyncPolicy.EVERY_GROUP) {
          assertThat(log.durableOffset()).isEqualTo(log.nextOffset());
        }
      } else if (op < 65) {
        checkRead();
      } else if (op < 70) {
        checkTimestampLookup();
      } else if (op < 75) {
        truncate();
      } else if (op < 78) {
        lastOp = "reopen";
        log.close();
        log = Log.open(config, clock);
        assertThat(log.recoveryScannedBytes()).isZero();
      } else if (op < 80) {
        lastOp = "crash and reopen";
        log.closeAbruptly();
        log = Log.open(config, clock);
      } else if (op < 83) {
        retention();
      } else if (op < 86) {
        checkVisit();
      } else if (op < 90) {
        lastOp = "advance clock";
        clock.advance(random.nextInt(3000));
      } else {
        checkSegments();
      }
    }

    private long end() {
      return model.isEmpty() ? startOffset : model.get(model.size() - 1).next();
    }

    private void appendGroup() throws IOException {
      int n = 1 + random.nextInt(4);
      if (random.nextInt(10) == 0) {
        term += random.nextInt(3);
      }
      lastOp = "append " + n + " at " + end();
      ByteBuffer[] group = new ByteBuffer[n];
      long next = end();
      for (int i = 0; i < n; i++) {
        long ts = clock.nowMs() + random.nextInt(200) - 50;
        group[i] =
            random.nextBoolean()
                ? batches.batch(next, term, ts)
                : batches.directBatch(next, term, ts);
        long after = next + batches.recordCount(next);
        model.add(new Stored(next, after, term, ts, bytes(group[i])));
        next = after;
      }
      if (n == 1 && random.nextBoolean()) {
        log.append(group[0]);
      } else {
        log.append(group, n);
      }
      lastTerm = term;
    }

    private int indexOf(long offset) {
      for (int i = 0; i < model.size(); i++) {
        if (model.get(i).base() <= offset && offset < model.get(i).next()) {
          return i;
        }
      }
      throw new AssertionError("offset " + offset + " not in the model");
    }

    private void checkRead() throws IOException {
      long end = end();
      long offset = startOffset - 2 + (long) random.nextInt((int) (end - startOffset + 5));
      int maxBytes = random.nextInt(4000);
      long maxExclusive =
          random.nextBoolean()
              ? Long.MAX_VALUE
              : startOffset + random.nextInt((int) (end - startOffset + 3));
      lastOp = "read " + offset + " max " + maxBytes + " below " + maxExclusive;
      LogSlice slice;
      try {
        slice = log.read(offset, maxBytes, maxExclusive);
      } catch (OrdoException e) {
        assertThat(e.errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
        assertThat(offset < startOffset || offset > end).as("out of range").isTrue();
        return;
      }
      assertThat(offset).isBetween(startOffset, end);
      if (offset == end || offset >= maxExclusive) {
        assertThat(slice).isSameAs(LogSlice.EMPTY);
        return;
      }
      Set<Long> segmentBases = new HashSet<>();
      for (SegmentInfo s : log.segments()) {
        segmentBases.add(s.baseOffset());
      }
      int i = indexOf(offset);
      List<byte[]> expected = new ArrayList<>();
      long bytes = 0;
      for (int j = i; j < model.size(); j++) {
        Stored b = model.get(j);
        if (j > i && (bytes + b.bytes().length > maxBytes || segmentBases.contains(b.base()))) {
          break;
        }
        if (b.next() > maxExclusive) {
          break;
        }
        bytes += b.bytes().length;
        expected.add(b.bytes());
      }
      if (expected.isEmpty()) {
        assertThat(slice).isSameAs(LogSlice.EMPTY);
        return;
      }
      assertThat(slice.firstOffset()).isEqualTo(model.get(i).base());
      assertThat(slice.nextOffset()).isEqualTo(model.get(i + expected.size() - 1).next());
      assertThat(slice.length()).isEqualTo(bytes);
      assertThat(batchesOf(slice)).containsExactlyElementsOf(expected);
    }

    private void checkTimestampLookup() throws IOException {
      long target = clock.nowMs() - random.nextInt(5000) + 200;
      lastOp = "offsetForTimestamp " + target;
      long expected = end();
      for (Stored b : model) {
        if (b.timestampMs() >= target) {
          expected = b.base();
          break;
        }
      }
      assertThat(log.offsetForTimestamp(target)).isEqualTo(expected);
    }

    private void truncate() throws IOException {
      int keep = model.isEmpty() ? 0 : random.nextInt(model.size() + 1);
      if (random.nextBoolean()) {
        keep = Math.max(keep, model.size() - 3); // mostly a short suffix, as a follower would
      }
      long offset = keep == model.size() ? end() : model.get(keep).base();
      lastOp = "truncate to " + offset;
      log.truncateTo(offset);
      if (keep < model.size()) {
        model.subList(keep, model.size()).clear();
        lastTerm = model.isEmpty() ? 0 : model.get(model.size() - 1).term();
      }
      assertThat(log.durableOffset()).isLessThanOrEqualTo(offset);
    }

    private void retention() throws IOException {
      lastOp = "retention";
      long now = clock.nowMs();
      log.enforceRetention(now);
      long start = log.startOffset();
      assertThat(start).isGreaterThanOrEqualTo(startOffset);
      while (!model.isEmpty() && model.get(0).base() < start) {
        model.remove(0);
      }
      if (!model.isEmpty()) {
        assertThat(model.get(0).base()).as("start is a batch boundary").isEqualTo(start);
      }
      startOffset = start;
      lastOp = "retention: start " + start + ", end " + end();
      List<SegmentInfo> segments = log.segments();
      if (segments.size() > 1 && config.retentionBytes() >= 0) {
        long total = segments.stream().mapToLong(SegmentInfo::sizeBytes).sum();
        assertThat(total - segments.get(0).sizeBytes()).isLessThan(config.retentionBytes());
      }
      if (segments.size() > 1 && config.retentionMs() >= 0) {
        assertThat(now - segments.get(0).maxTimestampMs())
            .isLessThanOrEqualTo(config.retentionMs());
      }
    }

    private void checkVisit() throws IOException {
      if (model.isEmpty()) {
        return;
      }
      int i = random.nextInt(model.size());
      long from =
          model.get(i).base() + random.nextInt((int) (model.get(i).next() - model.get(i).base()));
      lastOp = "forEachBatch from " + from;
      List<byte[]> expected = new ArrayList<>();
      for (int j = i; j < model.size(); j++) {
        expected.add(model.get(j).bytes());
      }
      assertThat(visitAll(log, from)).containsExactlyElementsOf(expected);
    }

    private void checkSegments() {
      lastOp = "segments";
      List<SegmentInfo> segments = log.segments();
      assertThat(segments.get(0).baseOffset()).isEqualTo(startOffset);
      for (int i = 1; i < segments.size(); i++) {
        assertThat(segments.get(i).baseOffset()).isEqualTo(segments.get(i - 1).nextOffset());
        assertThat(segments.get(i - 1).sizeBytes()).isPositive();
      }
      assertThat(segments.get(segments.size() - 1).nextOffset()).isEqualTo(end());
    }

    private void checkEnds() {
      assertThat(log.startOffset()).as("start offset").isEqualTo(startOffset);
      assertThat(log.nextOffset()).as("next offset").isEqualTo(end());
      // the term of the last batch appended, kept when retention deletes the batch
      assertThat(log.lastTerm()).as("last term").isEqualTo(lastTerm);
      assertThat(log.durableOffset()).as("durable offset").isBetween(startOffset, end());
    }
  }
}
