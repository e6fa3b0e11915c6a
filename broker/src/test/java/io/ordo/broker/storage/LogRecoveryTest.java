package io.ordo.broker.storage;

import static io.ordo.broker.storage.LogTesting.appendNext;
import static io.ordo.broker.storage.LogTesting.batchesOf;
import static io.ordo.broker.storage.LogTesting.bytes;
import static io.ordo.broker.storage.LogTesting.flipBit;
import static io.ordo.broker.storage.LogTesting.positionOf;
import static io.ordo.broker.storage.LogTesting.truncateFile;
import static io.ordo.broker.storage.LogTesting.view;
import static io.ordo.broker.storage.LogTesting.visitAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ordo.protocol.CorruptBatchException;
import io.ordo.protocol.batch.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Damage on disk, after a crash or a disk fault, and what reopening the log makes of it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogRecoveryTest {
  private static long seed;

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(1_000_000);

  @BeforeAll
  static void printSeed() {
    seed = TestBatches.seed("LogRecoveryTest");
  }

  /**
   * Without preallocation: these tests put bytes right after the last batch, where a prepared
   * segment file has zeros ({@link SegmentPreparationTest} covers that tail).
   */
  private LogConfig.Builder config() {
    return LogConfig.builder(dir)
        .preallocate(false)
        .segmentBytes(2048)
        .indexIntervalBytes(200)
        .checkpointIntervalMs(Long.MAX_VALUE / 2)
        .fsyncPolicy(FsyncPolicy.EVERY_GROUP);
  }

  /** Appends {@code n} batches of increasing terms, fsyncs, and crashes (no checkpoint). */
  private List<byte[]> writeAndCrash(LogConfig cfg, TestBatches batches, int n) throws IOException {
    List<byte[]> appended = new ArrayList<>();
    Log log = Log.open(cfg, clock);
    for (int i = 0; i < n; i++) {
      appended.add(appendNext(log, batches, 1 + i / 3, clock.advance(5)));
      log.onGroupEnd(clock.nowMs());
    }
    log.closeAbruptly();
    return appended;
  }

  private Path activeSegment() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".log")).max(Comparator.naturalOrder()).get();
    }
  }

  private void assertHolds(Log log, List<byte[]> expected) throws IOException {
    long next = expected.isEmpty() ? 0 : view(expected.get(expected.size() - 1)).nextOffset();
    assertThat(log.nextOffset()).isEqualTo(next);
    assertThat(log.durableOffset()).isEqualTo(next);
    assertThat(log.lastTerm())
        .isEqualTo(expected.isEmpty() ? 0 : view(expected.get(expected.size() - 1)).term());
    assertThat(visitAll(log, 0)).containsExactlyElementsOf(expected);
    if (!expected.isEmpty()) {
      LogTest.assertEveryOffsetReadable(log, expected);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path p : files.toList()) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
  }

  private static void deleteContents(Path d) throws IOException {
    try (Stream<Path> files = Files.list(d)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void tornLastBatchIsCutAtEveryByte() throws IOException {
    TestBatches batches = new TestBatches(seed, 2, 20);
    List<byte[]> appended = writeAndCrash(config().segmentBytes(1 << 20).build(), batches, 5);
    Path segment = activeSegment();
    byte[] original = Files.readAllBytes(segment);
    Path snapshot = Files.createTempDirectory(dir.getParent(), "snapshot");
    try {
      copyTree(dir, snapshot);
      int lastLength = appended.get(4).length;
      int lastStart = original.length - lastLength;
      List<byte[]> kept = appended.subList(0, 4);
      for (int cut = lastStart; cut < original.length; cut++) {
        deleteContents(dir);
        copyTree(snapshot, dir);
        truncateFile(segment, cut);
        try (Log log = Log.open(config().segmentBytes(1 << 20).build(), clock)) {
          assertThat(log.recoveryScannedBytes()).as("cut at %d", cut).isEqualTo(lastStart);
          assertHolds(log, kept);
          assertThat(Files.size(segment)).isEqualTo(lastStart);
          appendNext(log, batches, 9, clock.nowMs());
          log.onGroupEnd(clock.nowMs());
        }
      }
    } finally {
      deleteContents(snapshot);
      Files.delete(snapshot);
    }
  }

  @Test
  void garbageAfterTheLastBatchIsDropped() throws IOException {
    TestBatches batches = new TestBatches(seed, 4, 50);
    List<byte[]> appended = writeAndCrash(config().build(), batches, 30);
    Path segment = activeSegment();
    long size = Files.size(segment);
    byte[] garbage = new byte[777];
    new Random(seed).nextBytes(garbage);
    Files.write(segment, garbage, StandardOpenOption.APPEND);
    try (Log log = Log.open(config().build(), clock)) {
      assertHolds(log, appended);
      assertThat(Files.size(segment)).isEqualTo(size);
    }
    // zeros, as a file system may show after a crash
    Files.write(segment, new byte[4096], StandardOpenOption.APPEND);
    try (Log log = Log.open(config().build(), clock)) {
      assertHolds(log, appended);
    }
    // a well-formed batch with the wrong offset
    Files.write(segment, bytes(batches.batch(12345, 99, 0)), StandardOpenOption.APPEND);
    try (Log log = Log.open(config().build(), clock)) {
      assertHolds(log, appended);
    }
  }

  @Test
  void aBatchWithAnOlderTermAfterTheCheckpointIsDropped() throws IOException {
    TestBatches batches = new TestBatches(seed, 4, 50);
    List<byte[]> appended = writeAndCrash(config().build(), batches, 10);
    long next = view(appended.get(9)).nextOffset();
    Files.write(activeSegment(), bytes(batches.batch(next, 1, 0)), StandardOpenOption.APPEND);
    try (Log log = Log.open(config().build(), clock)) {
      assertHolds(log, appended);
    }
  }

  @Test
  void aFlippedBitAfterTheCheckpointCutsTheLogThere() throws IOException {
    Random random = new Random(seed);
    for (int round = 0; round < 2; round++) {
      // round 0: a payload bit of batch 15; round 1: a header bit of batch 12
      Path d = dir.resolve("round" + round);
      TestBatches batches = new TestBatches(seed + round, 4, 50);
      LogConfig cfg = config().dir(d).segmentBytes(1 << 20).checkpointIntervalMs(0).build();
      List<byte[]> appended = new ArrayList<>();
      Log log = Log.open(cfg, clock);
      for (int i = 0; i < 10; i++) {
        appended.add(appendNext(log, batches, 1, clock.nowMs()));
      }
      log.onGroupEnd(clock.nowMs()); // fsync and checkpoint after batch 10
      assertThat(log.checkpoint().offset()).isEqualTo(view(appended.get(9)).nextOffset());
      log.awaitCheckpointWritten();
      for (int i = 0; i < 10; i++) {
        appended.add(appendNext(log, batches, 1, clock.nowMs()));
      }
      log.flush();
      log.closeAbruptly();
      Path segment = d.resolve(Segment.fileName(0, ".log"));
      int victim = round == 0 ? 15 : 12;
      long at = positionOf(segment, view(appended.get(victim)).baseOffset());
      int within =
          round == 0
              ? RecordBatch.PAYLOAD_START
                  + random.nextInt(appended.get(victim).length - RecordBatch.PAYLOAD_START)
              : random.nextInt(RecordBatch.HEADER_CRC_COVERED_LENGTH);
      flipBit(segment, at + within, random.nextInt(8));
      try (Log reopened = Log.open(config().dir(d).segmentBytes(1 << 20).build(), clock)) {
        assertHolds(reopened, appended.subList(0, victim));
      }
    }
  }

  @Test
  void aFlippedBitBelowTheCheckpointIsNeverServed() throws IOException {
    TestBatches batches = new TestBatches(seed, 4, 50);
    List<byte[]> appended = new ArrayList<>();
    try (Log log = Log.open(config().build(), clock)) {
      for (int i = 0; i < 60; i++) {
        appended.add(appendNext(log, batches, 1, clock.nowMs()));
      }
    }
    long end = view(appended.get(59)).nextOffset();
    SegmentInfo sealed;
    try (Log log = Log.open(config().build(), clock)) {
      sealed = log.segments().get(1);
    }
    // a header bit of the second batch of a sealed segment: read() and forEachBatch refuse it
    int victim = indexOfBase(appended, sealed.baseOffset()) + 1;
    RecordBatch v = view(appended.get(victim));
    long at = positionOf(sealed.logFile(), v.baseOffset());
    flipBit(sealed.logFile(), at + RecordBatch.TERM_OFFSET, 2);
    try (Log log = Log.open(config().build(), clock)) {
      assertThat(log.recoveryScannedBytes()).isZero();
      assertThat(log.nextOffset()).isEqualTo(end);
      List<byte[]> visited = new ArrayList<>();
      assertThatThrownBy(
              () ->
                  log.forEachBatch(
                      0,
                      b -> {
                        byte[] one = new byte[b.length()];
                        b.buffer().get(b.offset(), one);
                        visited.add(one);
                      }))
          .isInstanceOf(CorruptBatchException.class);
      assertThat(visited).containsExactlyElementsOf(appended.subList(0, victim));
      assertThatThrownBy(() -> log.read(v.baseOffset(), 1 << 20, end))
          .isInstanceOf(CorruptBatchException.class);
      assertThatThrownBy(() -> log.read(v.lastOffset(), 1 << 20, end))
          .isInstanceOf(CorruptBatchException.class);
      // a read before it stops short of it
      LogSlice before = log.read(view(appended.get(victim - 1)).baseOffset(), 1 << 20, end);
      assertThat(batchesOf(before)).containsExactly(appended.get(victim - 1));
      // the next segment is still served (within the segment, batches past a damaged header
      // are reachable only through an index entry after it)
      int next = indexOfBase(appended, log.segments().get(2).baseOffset());
      RecordBatch after = view(appended.get(next));
      assertThat(batchesOf(log.read(after.baseOffset(), 1, end)))
          .containsExactly(appended.get(next));
      assertThat(visitAll(log, after.baseOffset()))
          .containsExactlyElementsOf(appended.subList(next, appended.size()));
      // appends go on
      appendNext(log, batches, 2, clock.nowMs());
    }
    // a payload bit: forEachBatch refuses it (zero-copy read() checks headers only)
    flipBit(sealed.logFile(), at + RecordBatch.TERM_OFFSET, 2); // repair the header
    flipBit(sealed.logFile(), at + v.length() - 1, 0);
    try (Log log = Log.open(config().build(), clock)) {
      assertThatThrownBy(() -> log.forEachBatch(v.baseOffset(), b -> {}))
          .isInstanceOf(CorruptBatchException.class)
          .hasMessageContaining("payload CRC");
    }
  }

  private int batchesInActiveSegment(List<byte[]> appended) throws IOException {
    if (appended.isEmpty()) {
      return 0;
    }
    long base = Long.parseLong(activeSegment().getFileName().toString().substring(0, 20));
    return appended.size() - indexOfBase(appended, base);
  }

  private static int indexOfBase(List<byte[]> batches, long base) {
    for (int i = 0; i < batches.size(); i++) {
      if (view(batches.get(i)).baseOffset() == base) {
        return i;
      }
    }
    throw new AssertionError("no batch at " + base);
  }

  @Test
  void missingOrDamagedIndexFilesAreRebuiltIdentical() throws IOException {
    TestBatches batches = new TestBatches(seed, 4, 50);
    List<byte[]> appended = new ArrayList<>();
    try (Log log = Log.open(config().build(), clock)) {
      for (int i = 0; i < 60; i++) {
        appended.add(appendNext(log, batches, 1, clock.advance(7)));
      }
    }
    List<Path> indexes;
    try (Stream<Path> files = Files.list(dir)) {
      indexes = files.filter(p -> p.toString().endsWith("index")).sorted().toList();
    }
    List<byte[]> originals = new ArrayList<>();
    for (Path p : indexes) {
      originals.add(Files.readAllBytes(p));
    }
    Random random = new Random(seed);
    for (int round = 0; round < 5 * indexes.size(); round++) {
      int which = random.nextInt(indexes.size());
      Path victim = indexes.get(which);
      byte[] original = originals.get(which);
      switch (round % 5) {
        case 0 -> Files.delete(victim);
        case 1 -> truncateFile(victim, original.length / 2); // maybe a partial entry
        case 2 -> truncateFile(victim, Math.max(0, original.length - 24)); // whole entries lost
        case 3 -> {
          // the last entry out of order (a copy of the one before it) or out of range
          int size = victim.toString().endsWith(".timeindex") ? 12 : 8;
          byte[] garbage = original.clone();
          if (garbage.length >= 2 * size) {
            System.arraycopy(
                garbage, garbage.length - 2 * size, garbage, garbage.length - size, size);
          } else {
            Arrays.fill(garbage, (byte) 0x7f);
          }
          Files.write(victim, garbage);
        }
        default -> Files.write(victim, new byte[original.length]);
      }
      try (Log log = Log.open(config().build(), clock)) {
        assertThat(log.recoveryScannedBytes()).isZero();
        assertHolds(log, appended);
        assertThat(log.offsetForTimestamp(1_000_000 + 7 * 30))
            .isEqualTo(view(appended.get(29)).baseOffset());
      }
      for (int i = 0; i < indexes.size(); i++) {
        assertThat(Files.readAllBytes(indexes.get(i)))
            .as("round %d, %s", round, indexes.get(i).getFileName())
            .isEqualTo(originals.get(i));
      }
    }
  }

  @Test
  void withoutAUsableCheckpointEverySegmentIsChecked() throws IOException {
    TestBatches batches = new TestBatches(seed, 4, 50);
    List<byte[]> appended = new ArrayList<>();
    try (Log log = Log.open(config().build(), clock)) {
      for (int i = 0; i < 40; i++) {
        appended.add(appendNext(log, batches, 1, clock.nowMs()));
      }
    }
    long total = appended.stream().mapToLong(b -> b.length).sum();
    Path checkpoint = dir.resolve(RecoveryCheckpoint.FILE_NAME);
    Files.delete(checkpoint);
    try (Log log = Log.open(config().build(), clock)) {
      assertThat(log.recoveryScannedBytes()).isEqualTo(total);
      assertHolds(log, appended);
    }
    flipBit(checkpoint, 9, 3);
    try (Log log = Log.open(config().build(), clock)) {
      assertThat(log.recoveryScannedBytes()).isEqualTo(total);
      assertHolds(log, appended);
    }
    Files.write(checkpoint, new byte[] {1, 2, 3});
    try (Log log = Log.open(config().build(), clock)) {
      assertHolds(log, appended);
    }
  }

  @Test
  void aSegmentFileCutBelowTheCheckpointIsCheckedAndCut() throws IOException {
    TestBatches batches = new TestBatches(seed, 4, 50);
    List<byte[]> appended = new ArrayList<>();
    try (Log log = Log.open(config().segmentBytes(4096).build(), clock)) {
      // At least 40 batches, and at least 3 of them in the active segment (batch sizes are
      // random, so a roll may have just happened).
      for (int i = 0; i < 40 || batchesInActiveSegment(appended) < 3; i++) {
        appended.add(appendNext(log, batches, 1, clock.nowMs()));
      }
    }
    Path segment = activeSegment();
    long base = Long.parseLong(segment.getFileName().toString().substring(0, 20));
    int first = indexOfBase(appended, base);
    assertThat(appended.size() - first).as("batches in the active segment").isGreaterThan(2);
    long cut = positionOf(segment, view(appended.get(first + 2)).baseOffset()) + 10;
    truncateFile(segment, cut);
    try (Log log = Log.open(config().segmentBytes(4096).build(), clock)) {
      assertHolds(log, appended.subList(0, first + 2));
    }
  }

  @Test
  void straySegmentsAndIndexFilesAfterTheEndAreDeleted() throws IOException {
    TestBatches batches = new TestBatches(seed, 4, 50);
    List<byte[]> appended = writeAndCrash(config().build(), batches, 30);
    long end = view(appended.get(29)).nextOffset();
    Path gap = dir.resolve(Segment.fileName(end + 10, ".log"));
    Files.write(gap, bytes(batches.batch(end + 10, 50, 0)));
    Path empty = dir.resolve(Segment.fileName(end + 100, ".log"));
    Files.createFile(empty);
    Path orphan = dir.resolve(Segment.fileName(end + 200, ".index"));
    Files.write(orphan, new byte[16]);
    try (Log log = Log.open(config().build(), clock)) {
      assertHolds(log, appended);
    }
    assertThat(gap).doesNotExist();
    assertThat(empty).doesNotExist();
    assertThat(orphan).doesNotExist();
  }

  @Test
  void aCrashAfterTruncationNeverBringsTheCutBatchesBack() throws IOException {
    TestBatches batches = new TestBatches(seed, 4, 50);
    List<byte[]> appended = new ArrayList<>();
    Log log = Log.open(config().checkpointIntervalMs(0).build(), clock);
    for (int i = 0; i < 50; i++) {
      appended.add(appendNext(log, batches, 1, clock.nowMs()));
      log.onGroupEnd(clock.advance(1));
    }
    long cut = view(appended.get(20)).baseOffset();
    log.truncateTo(cut);
    log.closeAbruptly();
    try (Log reopened = Log.open(config().build(), clock)) {
      assertHolds(reopened, appended.subList(0, 20));
    }
  }

  @Test
  void aPlausibleButWrongIndexEntryIsNotTrusted() throws IOException {
    TestBatches batches = new TestBatches(seed, 4, 50);
    List<byte[]> appended = new ArrayList<>();
    try (Log log = Log.open(config().segmentBytes(1 << 20).build(), clock)) {
      for (int i = 0; i < 40; i++) {
        appended.add(appendNext(log, batches, 1, clock.nowMs()));
      }
      log.flush();
      log.closeAbruptly();
    }
    // Recovery rebuilds what lies after the checkpoint; damage an index it will trust instead.
    try (Log log = Log.open(config().segmentBytes(1 << 20).build(), clock)) {
      assertThat(log.segments().get(0).offsetIndexEntries()).isGreaterThan(4);
    }
    Path index = dir.resolve(Segment.fileName(0, ".index"));
    ByteBuffer entries = ByteBuffer.wrap(Files.readAllBytes(index)).order(ByteOrder.LITTLE_ENDIAN);
    // entry 2 points one batch early: still increasing, inside the file, so it passes the checks
    entries.putInt(2 * 8 + 4, entries.getInt(1 * 8 + 4) + 1);
    Files.write(index, entries.array());
    try (Log log = Log.open(config().segmentBytes(1 << 20).build(), clock)) {
      assertHolds(log, appended);
    }
  }

  @Test
  void aLogOfEmptySegmentsOnlyRecovers() throws IOException {
    Files.createFile(dir.resolve(Segment.fileName(0, ".log")));
    try (Log log = Log.open(config().build(), clock)) {
      assertHolds(log, List.of());
    }
  }
}
