package io.ordo.broker.storage;

import static io.ordo.broker.storage.LogTesting.appendNext;
import static io.ordo.broker.storage.LogTesting.bytes;
import static io.ordo.broker.storage.LogTesting.view;
import static io.ordo.broker.storage.LogTesting.visitAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.platform.BackgroundPriority;
import io.ordo.broker.platform.ThreadNice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment files prepared ahead of a roll ({@link SegmentPreparer}): appends go into the zeros,
 * sealed segments and a clean close leave no zeros behind, and recovery after a crash cuts the zero
 * tail without taking anything before it, or anything torn or stray inside it, for a batch.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SegmentPreparationTest {
  private static final int SEGMENT_BYTES = 4096;
  private static long seed;

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(1_000_000);
  private final TestBatches batches = new TestBatches(seed, 3, 40);

  @BeforeAll
  static void printSeed() {
    seed = TestBatches.seed("SegmentPreparationTest");
  }

  private LogConfig config(boolean preallocate) {
    return config(preallocate, SEGMENT_BYTES);
  }

  private LogConfig config(boolean preallocate, int segmentBytes) {
    return LogConfig.builder(dir)
        .segmentBytes(segmentBytes)
        .indexIntervalBytes(256)
        .checkpointIntervalMs(Long.MAX_VALUE / 2)
        .fsyncPolicy(FsyncPolicy.EVERY_GROUP)
        .preallocate(preallocate)
        .build();
  }

  private void append(Log log, List<byte[]> appended) throws IOException {
    append(log, appended, batches);
  }

  private void append(Log log, List<byte[]> appended, TestBatches from) throws IOException {
    appended.add(appendNext(log, from, 1, clock.advance(1)));
    log.onGroupEnd(clock.nowMs());
  }

  /** Appends until the active segment is the prepared file (a roll found it ready). */
  private void appendIntoAPreparedSegment(Log log, List<byte[]> appended) throws IOException {
    append(log, appended); // the first append to a segment asks for the next one's file
    if (log.segments().size() == 1) {
      assertThat(log.appendsOverwriteZeros()).as("a new log's first segment grows").isFalse();
    }
    awaitPrepared(log);
    int segments = log.segments().size();
    while (log.segments().size() == segments) {
      append(log, appended);
    }
    append(log, appended);
    assertThat(Files.size(activeFile(log)))
        .as("the active segment is the prepared file")
        .isEqualTo(SEGMENT_BYTES);
    assertThat(log.appendsOverwriteZeros()).as("appends into the prepared file").isTrue();
  }

  private static void awaitPrepared(Log log) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!log.preparedSegmentReady()) {
      assertThat(System.nanoTime()).as("a prepared file within 20 s").isLessThan(deadline);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  private static Path activeFile(Log log) {
    return log.segments().get(log.segments().size() - 1).logFile();
  }

  private static int activeSize(Log log) {
    return (int) log.segments().get(log.segments().size() - 1).sizeBytes();
  }

  private Path segmentFile(long baseOffset) {
    return dir.resolve(Segment.fileName(baseOffset, Segment.LOG_SUFFIX));
  }

  private static void assertHolds(Log log, List<byte[]> appended) throws IOException {
    assertThat(log.nextOffset()).isEqualTo(view(appended.get(appended.size() - 1)).nextOffset());
    assertThat(visitAll(log, 0)).containsExactlyElementsOf(appended);
    LogTest.assertEveryOffsetReadable(log, appended);
  }

  private static void write(Path file, long position, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b, position + b.position());
      }
    }
  }

  @Test
  void appendsGoIntoThePreparedFileAndACleanCloseLeavesNoZeros() throws Exception {
    List<byte[]> appended = new ArrayList<>();
    try (Log log = Log.open(config(true), clock)) {
      appendIntoAPreparedSegment(log, appended);
      awaitPrepared(log); // the next one's, asked for by the first append to this segment
      assertThat(Files.size(dir.resolve(SegmentPreparer.FILE_NAME))).isEqualTo(SEGMENT_BYTES);
      if (ThreadNice.available()) {
        assertThat(ThreadNice.ofThreadsNamed("ordo-segment-preparer"))
            .as("the preparer runs at background priority")
            .isNotEmpty()
            .containsOnly(BackgroundPriority.NICE);
      }
      for (SegmentInfo s : log.segments().subList(0, log.segments().size() - 1)) {
        assertThat(Files.size(s.logFile())).as("sealed %s", s.logFile()).isEqualTo(s.sizeBytes());
      }
      assertHolds(log, appended);
    }
    List<SegmentInfo> segments;
    try (Log log = Log.open(config(true), clock)) {
      assertThat(log.recoveryScannedBytes()).as("a clean close leaves nothing to check").isZero();
      segments = log.segments();
      for (SegmentInfo s : segments) {
        assertThat(Files.size(s.logFile())).as("%s", s.logFile()).isEqualTo(s.sizeBytes());
      }
      assertHolds(log, appended);
      append(log, appended);
      assertHolds(log, appended);
    }
    assertThat(Files.exists(dir.resolve(SegmentPreparer.FILE_NAME))).isFalse();
  }

  /**
   * A file of several chunks (small while the preparer keeps up with the appends, large if it falls
   * behind) and a last partial one: every byte of it is zero and durable, and the appends that roll
   * into it read back.
   */
  @Test
  void aFileOfManyChunksIsZeroThroughout() throws Exception {
    int segmentBytes = 5 * 512 * 1024 + 300;
    TestBatches large = new TestBatches(seed, 20, 4000);
    List<byte[]> appended = new ArrayList<>();
    Path prepared = dir.resolve(SegmentPreparer.FILE_NAME);
    try (Log log = Log.open(config(true, segmentBytes), clock)) {
      // The preparer follows the appends (at most 1.5 times the active segment's bytes), so the
      // appends go slowly enough for it to stay ahead until a roll takes its file.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
      appendSlowlyUntil(
          "a roll into a prepared file",
          () -> Files.size(activeFile(log)) == segmentBytes && log.segments().size() >= 2,
          log,
          appended,
          large,
          deadline);
      append(log, appended, large);
      appendSlowlyUntil(
          "the next prepared file", log::preparedSegmentReady, log, appended, large, deadline);
      assertThat(Files.size(prepared)).isEqualTo(segmentBytes);
      try (FileChannel ch = FileChannel.open(prepared, StandardOpenOption.READ)) {
        assertThat(ZeroFill.isZeroFilled(ch, 0, segmentBytes)).as("the prepared file").isTrue();
      }
      try (FileChannel ch = FileChannel.open(activeFile(log), StandardOpenOption.READ)) {
        assertThat(ZeroFill.isZeroFilled(ch, activeSize(log), segmentBytes))
            .as("the active segment's file after its last batch")
            .isTrue();
      }
      assertHolds(log, appended);
    }
    try (Log log = Log.open(config(true, segmentBytes), clock)) {
      assertHolds(log, appended);
    }
  }

  /** A condition of the log that may read files. */
  private interface LogCondition {
    boolean holds() throws IOException;
  }

  /** Appends from {@code from}, 2 ms apart, until {@code done} holds; fails at {@code deadline}. */
  private void appendSlowlyUntil(
      String what,
      LogCondition done,
      Log log,
      List<byte[]> appended,
      TestBatches from,
      long deadlineNs)
      throws IOException {
    while (!done.holds()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadlineNs);
      append(log, appended, from);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }

  /** What a crash in a prepared segment left: the batches, the file and where they end. */
  private record Crashed(List<byte[]> appended, Path active, int dataEnd, byte[] next) {}

  /** Appends into a prepared segment and crashes; {@code next} is the batch that would follow. */
  private Crashed crashInAPreparedSegment() throws Exception {
    List<byte[]> appended = new ArrayList<>();
    try (Log log = Log.open(config(true), clock)) {
      appendIntoAPreparedSegment(log, appended);
      byte[] next = bytes(batches.batch(log.nextOffset(), 1, clock.nowMs()));
      Crashed c = new Crashed(appended, activeFile(log), activeSize(log), next);
      log.closeAbruptly();
      return c;
    }
  }

  @Test
  void recoveryCutsTheZeroTailACrashLeaves() throws Exception {
    Crashed c = crashInAPreparedSegment();
    assertThat(Files.size(c.active())).isEqualTo(SEGMENT_BYTES);
    try (FileChannel ch = FileChannel.open(c.active(), StandardOpenOption.READ)) {
      assertThat(ZeroFill.isZeroFilled(ch, c.dataEnd(), SEGMENT_BYTES)).isTrue();
    }
    List<byte[]> appended = new ArrayList<>(c.appended());
    try (Log log = Log.open(config(true), clock)) {
      assertHolds(log, appended);
      assertThat(Files.size(c.active())).isEqualTo(c.dataEnd());
      append(log, appended);
      assertHolds(log, appended);
    }
  }

  /**
   * After a crash in a prepared segment, writes the batch that would have come next (or its first
   * half) {@code gap} bytes after the last one, inside the zeros, and checks that reopening keeps
   * exactly what was appended and cuts the file after it.
   */
  private void crashWithTheNextBatchInTheZeros(int gap, boolean torn) throws Exception {
    Crashed c = crashInAPreparedSegment();
    byte[] next = c.next();
    write(c.active(), c.dataEnd() + gap, torn ? Arrays.copyOf(next, next.length / 2) : next);
    try (Log log = Log.open(config(true), clock)) {
      assertHolds(log, c.appended());
      assertThat(Files.size(c.active())).isEqualTo(c.dataEnd());
    }
  }

  @Test
  void aTornBatchInTheZerosIsCut() throws Exception {
    crashWithTheNextBatchInTheZeros(0, true);
  }

  @Test
  void aWholeBatchAfterSomeZerosIsNotTakenForTheNext() throws Exception {
    crashWithTheNextBatchInTheZeros(64, false);
  }

  @Test
  void aNextSegmentOfZerosOnlyBecomesAnEmptyActiveSegment() throws Exception {
    // a crash after a roll renamed the prepared file, before anything was written to it
    List<byte[]> appended = new ArrayList<>();
    try (Log log = Log.open(config(true), clock)) {
      for (int i = 0; i < 5; i++) {
        append(log, appended);
      }
      log.closeAbruptly();
    }
    long next = view(appended.get(appended.size() - 1)).nextOffset();
    Files.write(segmentFile(next), new byte[SEGMENT_BYTES]);
    try (Log log = Log.open(config(true), clock)) {
      assertHolds(log, appended);
      assertThat(Files.size(segmentFile(next))).isZero();
      append(log, appended);
      assertHolds(log, appended);
    }
  }

  @Test
  void aLeftoverPreparedFileIsDeletedAtOpen() throws Exception {
    Files.write(dir.resolve(SegmentPreparer.FILE_NAME), new byte[SEGMENT_BYTES]);
    try (Log log = Log.open(config(false), clock)) {
      assertThat(Files.exists(dir.resolve(SegmentPreparer.FILE_NAME))).isFalse();
      List<byte[]> appended = new ArrayList<>();
      append(log, appended);
      assertHolds(log, appended);
    }
  }

  @Test
  void withoutPreallocationNoFileIsPrepared() throws Exception {
    List<byte[]> appended = new ArrayList<>();
    try (Log log = Log.open(config(false), clock)) {
      while (log.segments().size() < 3) {
        append(log, appended);
        assertThat(log.preparedSegmentReady()).isFalse();
        assertThat(Files.exists(dir.resolve(SegmentPreparer.FILE_NAME))).isFalse();
        assertThat(Files.size(activeFile(log))).isEqualTo(activeSize(log));
      }
      assertHolds(log, appended);
    }
  }
}
