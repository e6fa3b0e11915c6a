package io.ordo.broker.storage;

import static io.ordo.broker.storage.LogTesting.flipBit;
import static io.ordo.broker.storage.LogTesting.truncateFile;
import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.protocol.batch.RecordBatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real writer process ({@link CrashWriter}) with SIGKILL at random moments and checks,
 * after each kill, that the log reopens with every offset the writer reported durable, that every
 * batch it serves is intact and is the one written at its offset, and that appends continue. A
 * variant also damages the bytes written after the last durable report (a torn or corrupted
 * unsynced write) and checks the log is cut exactly at the damaged batch.
 */
class LogCrashTest {
  @TempDir Path root;
  private Process child;

  @AfterEach
  void killChild() throws InterruptedException {
    if (child != null && child.isAlive()) {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void durableOffsetsSurviveKills() throws Exception {
    run(TestBatches.seed("LogCrashTest.kills"), 8, false);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void damagedUnsyncedTailIsCutAfterKills() throws Exception {
    run(TestBatches.seed("LogCrashTest.damage"), 5, true);
  }

  @Test
  @Tag("slow")
  @Timeout(value = 30, unit = TimeUnit.MINUTES)
  void manyKills() throws Exception {
    long seed = TestBatches.seed("LogCrashTest.manyKills");
    run(seed, 100, false);
    run(seed + 1, 100, true);
  }

  private void run(long seed, int kills, boolean damage) throws Exception {
    Path dir = root.resolve("log-" + seed + (damage ? "-damaged" : ""));
    Random random = new Random(seed);
    TestBatches batches = CrashWriter.batches(seed);
    ManualClock clock = new ManualClock(1_000_000);
    long durable = 0;
    long term = 0;
    int damaged = 0;
    for (int kill = 0; kill < kills; kill++) {
      term++;
      // with damage, forget the last few reports: the bytes after the remembered one are then
      // fair game for a simulated torn write
      int extra = damage ? random.nextInt(8) : 0;
      long reported = runChildUntilKilled(dir, seed, term, 1 + random.nextInt(40), extra);
      durable = Math.max(durable, reported);
      long damagedBatch = damage && random.nextInt(3) > 0 ? damageTail(dir, durable, random) : -1;
      try (Log log = Log.open(CrashWriter.config(dir), clock)) {
        String where = "after kill " + kill + " (seed " + seed + ")";
        assertThat(log.nextOffset()).as("end " + where).isGreaterThanOrEqualTo(durable);
        if (damagedBatch >= 0) {
          damaged++;
          assertThat(log.nextOffset()).as("end after damage " + where).isEqualTo(damagedBatch);
        }
        assertThat(log.durableOffset()).isEqualTo(log.nextOffset());
        checkEveryBatch(log, batches, where);
        // the log takes appends again, here in the parent
        term++;
        for (int i = 0; i < 1 + random.nextInt(3); i++) {
          log.append(batches.batch(log.nextOffset(), term, clock.nowMs()));
        }
        log.flush();
        durable = log.nextOffset();
        if (random.nextBoolean()) {
          log.closeAbruptly();
        }
      }
    }
    System.out.println(
        "LogCrashTest: " + kills + " kills, " + damaged + " damaged tails, log end " + durable);
  }

  /**
   * Starts a writer, reads {@code lines} durable reports and {@code extra} more, kills it; returns
   * the last of the first {@code lines} reports.
   */
  private long runChildUntilKilled(Path dir, long seed, long term, int lines, int extra)
      throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path stderr = root.resolve("writer-stderr.txt");
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-Xmx128m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                CrashWriter.class.getName(),
                dir.toString(),
                Long.toString(seed),
                Long.toString(term))
            .redirectError(stderr.toFile());
    child = pb.start();
    long last = 0;
    int seen = 0;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      long remembered = 0;
      while (seen < lines + extra) {
        String line = out.readLine();
        if (line == null) {
          throw new AssertionError(
              "writer ended early: " + Files.readString(stderr, StandardCharsets.UTF_8));
        }
        if (line.startsWith("durable ")) {
          long d = Long.parseLong(line.substring("durable ".length()).trim());
          assertThat(d).isGreaterThanOrEqualTo(last);
          last = d;
          seen++;
          if (seen == lines) {
            remembered = d;
          }
        }
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      return remembered;
    }
  }

  /** Reads every batch in full: valid, contiguous, terms non-decreasing, the expected payload. */
  private static void checkEveryBatch(Log log, TestBatches batches, String where)
      throws IOException {
    long[] expected = {log.startOffset()};
    long[] term = {0};
    log.forEachBatch(
        log.startOffset(),
        b -> {
          assertThat(b.baseOffset()).as("contiguous " + where).isEqualTo(expected[0]);
          assertThat(b.term()).as("term " + where).isGreaterThanOrEqualTo(term[0]);
          assertThat(batches.matchesPayload(b))
              .as("payload at " + b.baseOffset() + " " + where)
              .isTrue();
          expected[0] = b.nextOffset();
          term[0] = b.term();
        });
    assertThat(expected[0]).isEqualTo(log.nextOffset());
  }

  /**
   * Flips a bit in, or cuts the file at, a random byte written after both the last durable report
   * and the recovery checkpoint (a torn or corrupted write that was never fsynced).
   *
   * @return base offset of the batch damaged, or -1 when nothing was written after that point
   */
  private static long damageTail(Path dir, long durable, Random random) throws IOException {
    Optional<RecoveryCheckpoint> cp = RecoveryCheckpoint.read(dir);
    long safe = Math.max(durable, cp.map(RecoveryCheckpoint::offset).orElse(0L));
    List<long[]> candidates = new ArrayList<>(); // {segment index, position, batch base}
    List<Path> files = segmentFiles(dir);
    for (int i = 0; i < files.size(); i++) {
      ByteBuffer all =
          ByteBuffer.wrap(Files.readAllBytes(files.get(i))).order(ByteOrder.LITTLE_ENDIAN);
      int pos = 0;
      while (pos + RecordBatch.FIXED_HEADER_LENGTH <= all.limit()) {
        RecordBatch b = new RecordBatch().wrap(all, pos);
        int length = b.length();
        if (length <= RecordBatch.FIXED_HEADER_LENGTH || pos + length > all.limit()) {
          break;
        }
        if (b.baseOffset() >= safe) {
          candidates.add(new long[] {i, pos + random.nextInt(length), b.baseOffset()});
        }
        pos += length;
      }
    }
    if (candidates.isEmpty()) {
      return -1;
    }
    long[] victim = candidates.get(random.nextInt(candidates.size()));
    Path file = files.get((int) victim[0]);
    if (random.nextBoolean()) {
      flipBit(file, victim[1], random.nextInt(8));
    } else {
      truncateFile(file, victim[1]);
    }
    return victim[2];
  }

  private static List<Path> segmentFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
    }
  }
}
