package io.ordo.broker.storage;

import static io.ordo.broker.storage.LogTesting.appendNext;
import static io.ordo.broker.storage.LogTesting.batchesOf;
import static io.ordo.broker.storage.LogTesting.bytes;
import static io.ordo.broker.storage.LogTesting.view;
import static io.ordo.broker.storage.LogTesting.visitAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.RecordBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogTest {
  private static long seed;

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(1_000_000);

  @BeforeAll
  static void printSeed() {
    seed = TestBatches.seed("LogTest");
  }

  private LogConfig.Builder config() {
    return LogConfig.builder(dir)
        .segmentBytes(2048)
        .indexIntervalBytes(300)
        .fsyncPolicy(FsyncPolicy.EVERY_GROUP)
        .fileDeleteDelayMs(1000);
  }

  private static void assertOutOfRange(Runnable r) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            OrdoException.class,
            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE));
  }

  private interface IoRunnable {
    void run() throws IOException;
  }

  private static Runnable unchecked(IoRunnable r) {
    return () -> {
      try {
        r.run();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  @Test
  void opensEmptyLogAtOffsetZero() throws IOException {
    try (Log log = Log.open(config().build(), clock)) {
      assertThat(log.startOffset()).isZero();
      assertThat(log.nextOffset()).isZero();
      assertThat(log.durableOffset()).isZero();
      assertThat(log.lastTerm()).isZero();
      assertThat(log.read(0, 1000, Long.MAX_VALUE)).isSameAs(LogSlice.EMPTY);
      assertThat(log.offsetForTimestamp(0)).isZero();
      assertThat(log.segments()).hasSize(1);
      assertThat(Files.exists(dir.resolve("00000000000000000000.log"))).isTrue();
      assertThat(Files.exists(dir.resolve(RecoveryCheckpoint.FILE_NAME))).isTrue();
    }
  }

  @Test
  void appendsAndReadsEveryOffsetAcrossManySegments() throws IOException {
    TestBatches batches = new TestBatches(seed, 6, 80);
    List<byte[]> appended = new ArrayList<>();
    try (Log log = Log.open(config().build(), clock)) {
      for (int i = 0; i < 300; i++) {
        appended.add(appendNext(log, batches, 1 + i / 100, clock.advance(1)));
        if (i % 7 == 0) {
          log.onGroupEnd(clock.nowMs());
        }
      }
      assertThat(log.segments().size()).isGreaterThan(10);
      assertEveryOffsetReadable(log, appended);
      assertThat(log.lastTerm()).isEqualTo(3);
    }
    try (Log log = Log.open(config().build(), clock)) {
      assertThat(log.recoveryScannedBytes()).isZero();
      assertEveryOffsetReadable(log, appended);
    }
  }

  static void assertEveryOffsetReadable(Log log, List<byte[]> appended) throws IOException {
    int b = 0;
    for (long offset = 0; offset < log.nextOffset(); offset++) {
      RecordBatch expected = view(appended.get(b));
      if (offset >= expected.nextOffset()) {
        b++;
        expected = view(appended.get(b));
      }
      LogSlice slice = log.read(offset, 1, Long.MAX_VALUE);
      assertThat(slice.firstOffset()).isEqualTo(expected.baseOffset());
      assertThat(slice.nextOffset()).isEqualTo(expected.nextOffset());
      assertThat(batchesOf(slice)).containsExactly(appended.get(b));
    }
    assertThat(b).isEqualTo(appended.size() - 1);
    // Reading forward with large slices yields every batch once, in order.
    List<byte[]> all = new ArrayList<>();
    long next = log.startOffset();
    while (next < log.nextOffset()) {
      LogSlice slice = log.read(next, 1 << 20, Long.MAX_VALUE);
      assertThat(slice.firstOffset()).isEqualTo(next);
      all.addAll(batchesOf(slice));
      next = slice.nextOffset();
    }
    assertThat(all).containsExactlyElementsOf(appended);
    assertThat(visitAll(log, 0)).containsExactlyElementsOf(appended);
  }

  @Test
  void readHonoursMaxBytesCommitOffsetAndRange() throws IOException {
    TestBatches batches = new TestBatches(seed, 4, 40);
    List<byte[]> appended = new ArrayList<>();
    try (Log log = Log.open(config().segmentBytes(1 << 20).build(), clock)) {
      for (int i = 0; i < 20; i++) {
        appended.add(appendNext(log, batches, 1, clock.nowMs()));
      }
      RecordBatch b0 = view(appended.get(0));
      RecordBatch b1 = view(appended.get(1));
      RecordBatch b2 = view(appended.get(2));
      // at least one batch, even when larger than maxBytes
      assertThat(batchesOf(log.read(0, 0, Long.MAX_VALUE))).containsExactly(appended.get(0));
      // as many as fit
      int two = b0.length() + b1.length();
      assertThat(batchesOf(log.read(0, two, Long.MAX_VALUE)))
          .containsExactly(appended.get(0), appended.get(1));
      assertThat(batchesOf(log.read(0, two + b2.length() - 1, Long.MAX_VALUE)))
          .containsExactly(appended.get(0), appended.get(1));
      // none ending above the commit offset
      assertThat(batchesOf(log.read(0, 1 << 20, b2.nextOffset())))
          .containsExactly(appended.get(0), appended.get(1), appended.get(2));
      assertThat(batchesOf(log.read(0, 1 << 20, b2.nextOffset() - 1)))
          .containsExactly(appended.get(0), appended.get(1));
      assertThat(log.read(b1.nextOffset(), 1 << 20, b1.nextOffset())).isSameAs(LogSlice.EMPTY);
      if (b2.recordCount() > 1) {
        assertThat(log.read(b2.baseOffset(), 1 << 20, b2.baseOffset() + 1))
            .isSameAs(LogSlice.EMPTY);
      }
      // a mid-batch offset starts the slice at its batch
      LogSlice mid = log.read(b1.lastOffset(), 1, Long.MAX_VALUE);
      assertThat(mid.firstOffset()).isEqualTo(b1.baseOffset());
      // the end and beyond
      long end = log.nextOffset();
      assertThat(log.read(end, 100, Long.MAX_VALUE)).isSameAs(LogSlice.EMPTY);
      assertOutOfRange(unchecked(() -> log.read(end + 1, 100, Long.MAX_VALUE)));
      assertOutOfRange(unchecked(() -> log.read(-1, 100, Long.MAX_VALUE)));
      assertOutOfRange(unchecked(() -> log.forEachBatch(end + 1, b -> {})));
      // zero-copy transfer sends exactly the slice bytes
      LogSlice slice = log.read(0, two, Long.MAX_VALUE);
      Path out = dir.resolve("sent.bin");
      try (FileChannel sink =
          FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        long sent = 0;
        while (sent < slice.length()) {
          sent += slice.channel().transferTo(slice.position() + sent, slice.length() - sent, sink);
        }
      }
      assertThat(Files.readAllBytes(out)).isEqualTo(bytes(slice.readFully()));
    }
  }

  @Test
  void findsOffsetsByTimestamp() throws IOException {
    Random random = new Random(seed);
    TestBatches batches = new TestBatches(seed, 3, 60);
    List<long[]> stamps = new ArrayList<>(); // {base, timestamp}
    try (Log log = Log.open(config().segmentBytes(4096).indexIntervalBytes(500).build(), clock)) {
      long ts = 10_000;
      for (int i = 0; i < 400; i++) {
        // mostly rising, with repeats and the occasional step back (a leader with a slower clock)
        int step = random.nextInt(10);
        ts += step < 2 ? 0 : step < 9 ? random.nextInt(50) : -random.nextInt(200);
        stamps.add(new long[] {log.nextOffset(), ts});
        appendNext(log, batches, 1, ts);
      }
      long end = log.nextOffset();
      for (long target = 9_000; target < ts + 500; target += 1 + random.nextInt(7)) {
        long expected = end;
        for (long[] s : stamps) {
          if (s[1] >= target) {
            expected = s[0];
            break;
          }
        }
        assertThat(log.offsetForTimestamp(target)).as("timestamp %d", target).isEqualTo(expected);
      }
      assertThat(log.offsetForTimestamp(Long.MAX_VALUE)).isEqualTo(end);
      assertThat(log.offsetForTimestamp(Long.MIN_VALUE)).isZero();
    }
  }

  @Test
  void rollsBySize() throws IOException {
    TestBatches batches = new TestBatches(seed, 5, 100);
    try (Log log = Log.open(config().segmentBytes(1500).build(), clock)) {
      for (int i = 0; i < 100; i++) {
        appendNext(log, batches, 1, clock.nowMs());
      }
      List<SegmentInfo> infos = log.segments();
      assertThat(infos.size()).isGreaterThan(5);
      for (int i = 0; i < infos.size(); i++) {
        SegmentInfo s = infos.get(i);
        assertThat(s.sizeBytes()).isLessThanOrEqualTo(1500);
        assertThat(s.active()).isEqualTo(i == infos.size() - 1);
        if (i > 0) {
          assertThat(s.baseOffset()).isEqualTo(infos.get(i - 1).nextOffset());
        }
        assertThat(s.logFile().getFileName().toString())
            .isEqualTo(String.format("%020d.log", s.baseOffset()));
      }
      // a batch larger than a segment still goes in, alone
      log.append(batches.batchWith(log.nextOffset(), 3, 1000, 1, 0));
      SegmentInfo last = log.segments().get(log.segments().size() - 1);
      assertThat(last.sizeBytes()).isGreaterThan(1500);
      assertThat(last.nextOffset()).isEqualTo(log.nextOffset());
    }
  }

  @Test
  void aRollsIndexFilesAndCheckpointAreWrittenInTheBackground() throws IOException {
    TestBatches batches = new TestBatches(seed, 5, 100);
    LogConfig cfg = config().segmentBytes(1500).checkpointIntervalMs(3_600_000).build();
    List<byte[]> appended = new ArrayList<>();
    try (Log log = Log.open(cfg, clock)) {
      while (log.segments().size() < 6) {
        appended.add(appendNext(log, batches, 1, clock.advance(1)));
        log.onGroupEnd(clock.nowMs());
        // lookups work whether a sealed segment's index is still in memory or already mapped
        RecordBatch first = view(appended.get(0));
        assertThat(batchesOf(log.read(first.baseOffset(), 1, log.nextOffset())).get(0))
            .isEqualTo(appended.get(0));
        assertThat(log.offsetForTimestamp(first.appendTimestamp())).isEqualTo(0);
      }
      log.awaitCheckpointWritten();
      List<SegmentInfo> infos = log.segments();
      long activeBase = infos.get(infos.size() - 1).baseOffset();
      assertThat(RecoveryCheckpoint.read(dir)).contains(log.checkpoint());
      assertThat(log.checkpoint().segmentBaseOffset()).isEqualTo(activeBase);
      for (SegmentInfo s : infos.subList(0, infos.size() - 1)) {
        Path index = dir.resolve(Segment.fileName(s.baseOffset(), Segment.INDEX_SUFFIX));
        Path times = dir.resolve(Segment.fileName(s.baseOffset(), Segment.TIME_INDEX_SUFFIX));
        assertThat(Files.size(index)).as("%s", index).isPositive();
        assertThat(Files.size(times)).as("%s", times).isPositive();
      }
      log.closeAbruptly();
    }
    try (Log reopened = Log.open(cfg, clock)) {
      assertThat(visitAll(reopened, 0)).containsExactlyElementsOf(appended);
    }
  }

  @Test
  void rollsByAgeOfTheFirstAppend() throws IOException {
    TestBatches batches = new TestBatches(seed, 2, 10);
    try (Log log = Log.open(config().segmentBytes(1 << 20).segmentMs(1000).build(), clock)) {
      clock.advance(5000); // an empty segment never rolls
      appendNext(log, batches, 1, clock.nowMs());
      assertThat(log.segments()).hasSize(1);
      clock.advance(999);
      appendNext(log, batches, 1, clock.nowMs());
      assertThat(log.segments()).hasSize(1);
      clock.advance(1);
      long rolledAt = log.nextOffset();
      appendNext(log, batches, 1, clock.nowMs());
      assertThat(log.segments()).hasSize(2);
      assertThat(log.segments().get(1).baseOffset()).isEqualTo(rolledAt);
      assertThat(log.durableOffset()).isEqualTo(rolledAt); // a roll fsyncs the old segment
    }
  }

  @Test
  void retentionBySizeKeepsAtLeastTheLimitAndNeverTheActiveSegment() throws IOException {
    TestBatches batches = new TestBatches(seed, 5, 100);
    try (Log log = Log.open(config().segmentBytes(1500).retentionBytes(5000).build(), clock)) {
      for (int i = 0; i < 120; i++) {
        appendNext(log, batches, 1, clock.nowMs());
      }
      int before = log.segments().size();
      int deleted = log.enforceRetention(clock.nowMs());
      List<SegmentInfo> infos = log.segments();
      assertThat(deleted).isPositive().isEqualTo(before - infos.size());
      long total = infos.stream().mapToLong(SegmentInfo::sizeBytes).sum();
      assertThat(total).isGreaterThanOrEqualTo(5000);
      assertThat(total - infos.get(0).sizeBytes()).isLessThan(5000);
      assertThat(log.startOffset()).isEqualTo(infos.get(0).baseOffset());
      assertOutOfRange(unchecked(() -> log.read(log.startOffset() - 1, 100, Long.MAX_VALUE)));
      assertThat(log.read(log.startOffset(), 100, Long.MAX_VALUE).firstOffset())
          .isEqualTo(log.startOffset());
      assertThat(log.enforceRetention(clock.nowMs())).isZero();
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(p -> p.toString().endsWith(".log")).count()).isGreaterThan(1);
    }
    try (Log log = Log.open(config().segmentBytes(1500).retentionBytes(0).build(), clock)) {
      long start = log.startOffset();
      assertThat(start).isPositive();
      log.enforceRetention(clock.nowMs());
      assertThat(log.segments()).hasSize(1);
      assertThat(log.segments().get(0).active()).isTrue();
    }
  }

  @Test
  void retentionByAgeUsesTheNewestBatchOfASegment() throws IOException {
    TestBatches batches = new TestBatches(seed, 5, 100);
    try (Log log = Log.open(config().segmentBytes(1500).retentionMs(10_000).build(), clock)) {
      long t0 = clock.nowMs();
      List<Long> newestBySegment = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        appendNext(log, batches, 1, t0 + i * 100L);
      }
      for (SegmentInfo s : log.segments()) {
        newestBySegment.add(s.maxTimestampMs());
      }
      long now = newestBySegment.get(2) + 10_001; // the first three segments have expired
      assertThat(log.enforceRetention(now)).isEqualTo(3);
      assertThat(log.segments().get(0).maxTimestampMs()).isEqualTo(newestBySegment.get(3));
      assertThat(log.enforceRetention(now)).isZero();
    }
  }

  @Test
  void aSliceOfADeletedSegmentStaysReadableForTheGracePeriod() throws IOException {
    TestBatches batches = new TestBatches(seed, 5, 100);
    try (Log log =
        Log.open(
            config().segmentBytes(1500).retentionBytes(0).fileDeleteDelayMs(5000).build(), clock)) {
      List<byte[]> appended = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        appended.add(appendNext(log, batches, 1, clock.nowMs()));
      }
      LogSlice slice = log.read(0, 1 << 20, Long.MAX_VALUE);
      Path firstFile = log.segments().get(0).logFile();
      assertThat(log.enforceRetention(clock.nowMs())).isPositive();
      assertThat(Files.exists(firstFile)).isFalse();
      assertThat(slice.channel().isOpen()).isTrue();
      assertThat(batchesOf(slice).get(0)).isEqualTo(appended.get(0));
      assertThat(log.pendingCloseCount()).isPositive();
      log.onGroupEnd(clock.nowMs() + 4999);
      assertThat(slice.channel().isOpen()).isTrue();
      log.onGroupEnd(clock.nowMs() + 5000);
      assertThat(slice.channel().isOpen()).isFalse();
      assertThat(log.pendingCloseCount()).isZero();
    }
  }

  @Test
  void truncatesToABatchBoundaryThenAppendsAgain() throws IOException {
    TestBatches batches = new TestBatches(seed, 5, 100);
    TestBatches other = new TestBatches(seed + 7, 5, 100);
    List<byte[]> appended = new ArrayList<>();
    try (Log log = Log.open(config().build(), clock)) {
      for (int i = 0; i < 80; i++) {
        appended.add(appendNext(log, batches, 1 + i / 30, clock.advance(1)));
        log.onGroupEnd(clock.nowMs());
      }
      int segmentsBefore = log.segments().size();
      int keep = 25;
      long cut = view(appended.get(keep)).baseOffset();
      RecordBatch multi =
          appended.stream()
              .map(LogTesting::view)
              .filter(b -> b.recordCount() > 1)
              .findFirst()
              .get();
      assertThatThrownBy(() -> log.truncateTo(multi.baseOffset() + 1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> log.truncateTo(log.nextOffset() + 1))
          .isInstanceOf(IllegalArgumentException.class);
      log.truncateTo(log.nextOffset()); // no-op
      log.truncateTo(cut);
      assertThat(log.nextOffset()).isEqualTo(cut);
      assertThat(log.durableOffset()).isEqualTo(cut);
      assertThat(log.lastTerm()).isEqualTo(view(appended.get(keep - 1)).term());
      assertThat(log.segments().size()).isLessThan(segmentsBefore);
      assertThat(log.segments().get(log.segments().size() - 1).nextOffset()).isEqualTo(cut);
      assertThat(log.offsetForTimestamp(Long.MAX_VALUE)).isEqualTo(cut);
      appended.subList(keep, appended.size()).clear();
      assertThatThrownBy(() -> log.append(other.batch(cut, 0, 0)))
          .isInstanceOf(IllegalArgumentException.class); // term below the last term
      for (int i = 0; i < 40; i++) {
        appended.add(appendNext(log, other, 5, clock.advance(1)));
      }
      log.onGroupEnd(clock.nowMs());
      assertEveryOffsetReadable(log, appended);
      assertThat(log.lastTerm()).isEqualTo(5);
    }
    try (Log log = Log.open(config().build(), clock)) {
      assertEveryOffsetReadable(log, appended);
      log.truncateTo(0);
      assertThat(log.nextOffset()).isZero();
      assertThat(log.lastTerm()).isZero();
      assertThat(log.segments()).hasSize(1);
      assertThat(log.read(0, 100, Long.MAX_VALUE)).isSameAs(LogSlice.EMPTY);
      appendNext(log, batches, 9, clock.nowMs());
    }
    try (Log log = Log.open(config().build(), clock)) {
      assertThat(log.lastTerm()).isEqualTo(9);
      assertThat(visitAll(log, 0)).hasSize(1);
    }
  }

  /**
   * A cut to the log start once retention has deleted the batch before it: the term before the
   * start is unknown there (0); a checkpoint at that offset written earlier (at the roll, with the
   * old term) must not bring the old term back after a crash. Found by LogModelTest's walk
   * 4978397927104618110.
   */
  @Test
  void aCutToTheLogStartKeepsItsTermAcrossACrash() throws IOException {
    TestBatches batches = new TestBatches(seed, 5, 100);
    LogConfig cfg =
        config().segmentBytes(1500).retentionBytes(0).checkpointIntervalMs(3_600_000).build();
    long term;
    try (Log log = Log.open(cfg, clock)) {
      while (log.segments().size() < 3) {
        appendNext(log, batches, 7, clock.advance(1));
      }
      log.enforceRetention(clock.nowMs());
      long start = log.startOffset();
      assertThat(log.segments()).hasSize(1);
      assertThat(log.checkpoint().offset()).as("the roll's checkpoint").isEqualTo(start);
      appendNext(log, batches, 8, clock.advance(1));
      log.truncateTo(start);
      term = log.lastTerm();
      log.closeAbruptly();
    }
    try (Log log = Log.open(cfg, clock)) {
      assertThat(log.lastTerm()).isEqualTo(term);
    }
  }

  @Test
  void everyGroupPolicyMakesEachGroupDurable() throws IOException {
    TestBatches batches = new TestBatches(seed, 3, 50);
    try (Log log = Log.open(config().segmentBytes(1 << 20).build(), clock)) {
      appendNext(log, batches, 1, 0);
      appendNext(log, batches, 1, 0);
      assertThat(log.durableOffset()).isZero();
      assertThat(log.onGroupEnd(clock.nowMs())).isTrue();
      assertThat(log.durableOffset()).isEqualTo(log.nextOffset());
      assertThat(log.onGroupEnd(clock.nowMs())).isFalse();
    }
  }

  @Test
  void intervalPolicyFsyncsOncePerInterval() throws IOException {
    TestBatches batches = new TestBatches(seed, 3, 50);
    LogConfig cfg =
        config()
            .segmentBytes(1 << 20)
            .fsyncPolicy(FsyncPolicy.INTERVAL)
            .fsyncIntervalMs(1000)
            .build();
    try (Log log = Log.open(cfg, clock)) {
      long t = clock.nowMs();
      appendNext(log, batches, 1, 0);
      assertThat(log.onGroupEnd(t + 999)).isFalse();
      assertThat(log.durableOffset()).isZero();
      assertThat(log.onGroupEnd(t + 1000)).isTrue();
      assertThat(log.durableOffset()).isEqualTo(log.nextOffset());
      appendNext(log, batches, 1, 0);
      assertThat(log.onGroupEnd(t + 1999)).isFalse();
      assertThat(log.onGroupEnd(t + 2000)).isTrue();
      assertThat(log.durableOffset()).isEqualTo(log.nextOffset());
    }
  }

  @Test
  void neverPolicyIsDurableOnlyThroughRollFlushAndClose() throws IOException {
    TestBatches batches = new TestBatches(seed, 3, 50);
    LogConfig cfg = config().segmentBytes(1000).fsyncPolicy(FsyncPolicy.NEVER).build();
    try (Log log = Log.open(cfg, clock)) {
      appendNext(log, batches, 1, 0);
      assertThat(log.onGroupEnd(clock.advance(10_000))).isFalse();
      assertThat(log.durableOffset()).isZero();
      while (log.segments().size() < 2) {
        appendNext(log, batches, 1, 0);
      }
      long rolledAt = log.segments().get(1).baseOffset();
      assertThat(log.durableOffset()).isEqualTo(rolledAt);
      assertThat(log.onGroupEnd(clock.nowMs())).isTrue();
      appendNext(log, batches, 1, 0);
      assertThat(log.durableOffset()).isEqualTo(rolledAt);
      log.flush();
      assertThat(log.durableOffset()).isEqualTo(log.nextOffset());
    }
  }

  @Test
  void checkpointIsWrittenAtMostOncePerIntervalFromGroupEnds() throws IOException {
    TestBatches batches = new TestBatches(seed, 3, 50);
    LogConfig cfg = config().segmentBytes(1 << 20).checkpointIntervalMs(5000).build();
    try (Log log = Log.open(cfg, clock)) {
      long t = clock.nowMs();
      appendNext(log, batches, 1, 0);
      log.onGroupEnd(t + 4999);
      assertThat(log.checkpoint().offset()).isZero();
      appendNext(log, batches, 1, 0);
      log.onGroupEnd(t + 5000);
      assertThat(log.checkpoint().offset()).isEqualTo(log.nextOffset());
      log.awaitCheckpointWritten();
      assertThat(RecoveryCheckpoint.read(dir)).contains(log.checkpoint());
    }
  }

  @Test
  void reopenAfterCleanCloseNeedsNoScanAndKeepsIndexFiles() throws IOException {
    TestBatches batches = new TestBatches(seed, 6, 80);
    List<byte[]> appended = new ArrayList<>();
    List<byte[]> indexFiles = new ArrayList<>();
    long next;
    long term;
    try (Log log = Log.open(config().build(), clock)) {
      for (int i = 0; i < 100; i++) {
        appended.add(appendNext(log, batches, 2, clock.advance(3)));
      }
      next = log.nextOffset();
      term = log.lastTerm();
    }
    List<Path> indexPaths = indexFiles();
    for (Path p : indexPaths) {
      indexFiles.add(Files.readAllBytes(p));
    }
    try (Log log = Log.open(config().build(), clock)) {
      assertThat(log.recoveryScannedBytes()).isZero();
      assertThat(log.nextOffset()).isEqualTo(next);
      assertThat(log.durableOffset()).isEqualTo(next);
      assertThat(log.lastTerm()).isEqualTo(term);
      assertEveryOffsetReadable(log, appended);
    }
    assertThat(indexFiles()).isEqualTo(indexPaths);
    for (int i = 0; i < indexPaths.size(); i++) {
      assertThat(Files.readAllBytes(indexPaths.get(i))).isEqualTo(indexFiles.get(i));
    }
  }

  private List<Path> indexFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.toString().endsWith(".index") || p.toString().endsWith(".timeindex"))
          .sorted()
          .toList();
    }
  }

  @Test
  void rejectsBadAppendsAndWritesNothing() throws IOException {
    TestBatches batches = new TestBatches(seed, 3, 50);
    try (Log log = Log.open(config().maxBatchBytes(4096).build(), clock)) {
      appendNext(log, batches, 3, 0);
      long next = log.nextOffset();
      long size = log.segments().get(0).sizeBytes();

      ByteBuffer wrongOffset = batches.batch(next + 1, 3, 0);
      assertThatThrownBy(() -> log.append(wrongOffset))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("base offset");

      ByteBuffer badCrc = batches.batch(next, 3, 0);
      badCrc.put(RecordBatch.APPEND_TIMESTAMP_OFFSET, (byte) 1);
      assertThatThrownBy(() -> log.append(badCrc))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("CRC");

      ByteBuffer good = batches.batch(next, 3, 0);
      ByteBuffer tooLong = ByteBuffer.allocate(good.remaining() + 1);
      tooLong.put(good.duplicate()).clear();
      assertThatThrownBy(() -> log.append(tooLong))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("length");

      assertThatThrownBy(() -> log.append(batches.batch(next, 2, 0)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("term");

      ByteBuffer huge = batches.batchWith(next, 5, 1000, 3, 0);
      assertThatThrownBy(() -> log.append(huge))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxBatchBytes");

      // a group with a bad third batch writes none of them
      ByteBuffer b0 = batches.batch(next, 3, 0);
      long n1 = next + view(bytes(b0)).recordCount();
      ByteBuffer b1 = batches.batch(n1, 3, 0);
      long n2 = n1 + view(bytes(b1)).recordCount();
      ByteBuffer b2 = batches.batch(n2 + 1, 3, 0);
      assertThatThrownBy(() -> log.append(new ByteBuffer[] {b0, b1, b2}, 3))
          .isInstanceOf(IllegalArgumentException.class);

      assertThat(log.nextOffset()).isEqualTo(next);
      assertThat(log.segments().get(0).sizeBytes()).isEqualTo(size);
      assertThat(Files.size(log.segments().get(0).logFile())).isEqualTo(size);

      // the good part of the group goes in; buffers keep their positions
      int p0 = b0.position();
      log.append(new ByteBuffer[] {b0, b1}, 2);
      assertThat(b0.position()).isEqualTo(p0);
      assertThat(b1.remaining()).isPositive();
      assertThat(log.nextOffset()).isEqualTo(n2);
    }
  }

  @Test
  void appendsDirectBuffersAndGroupsAcrossRolls() throws IOException {
    TestBatches batches = new TestBatches(seed, 5, 100);
    List<byte[]> appended = new ArrayList<>();
    try (Log log = Log.open(config().build(), clock)) {
      for (int g = 0; g < 20; g++) {
        ByteBuffer[] group = new ByteBuffer[8];
        long next = log.nextOffset();
        for (int i = 0; i < group.length; i++) {
          group[i] = batches.directBatch(next, 1, clock.nowMs());
          appended.add(bytes(group[i]));
          next += batches.recordCount(next);
        }
        log.append(group, group.length);
        assertThat(log.onGroupEnd(clock.advance(1))).isTrue();
      }
      assertThat(log.segments().size()).isGreaterThan(5);
      assertEveryOffsetReadable(log, appended);
    }
  }

  @Test
  void refusesASecondOpenOfTheSameDirectory() throws IOException {
    try (Log log = Log.open(config().build(), clock)) {
      assertThatThrownBy(() -> Log.open(config().build(), clock))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("in use");
      assertThat(log.nextOffset()).isZero();
    }
  }

  @Test
  void closedLogRefusesCalls() throws IOException {
    Log log = Log.open(config().build(), clock);
    log.close();
    log.close();
    assertThatThrownBy(() -> log.read(0, 1, 1)).isInstanceOf(OrdoException.class);
    assertThatThrownBy(() -> log.flush()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void readersSeeAConsistentLogWhileTheWriterAppendsRollsAndDeletes() throws Exception {
    TestBatches batches = new TestBatches(seed, 5, 60);
    LogConfig cfg = config().segmentBytes(4096).retentionBytes(64 * 1024).build();
    int total = 3000;
    long finalOffset = lastOffsetOf(total, new TestBatches(seed, 5, 60));
    try (Log log = Log.open(cfg, clock)) {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread reader =
          new Thread(
              () -> {
                TestBatches expected = new TestBatches(seed, 5, 60);
                long next = 0;
                try {
                  while (next < Long.MAX_VALUE && failure.get() == null) {
                    long end = log.nextOffset();
                    if (next >= end) {
                      if (end >= finalOffset) {
                        return;
                      }
                      Thread.onSpinWait();
                      continue;
                    }
                    if (next < log.startOffset()) {
                      next = log.offsetForTimestamp(Long.MIN_VALUE); // skipped by retention
                    }
                    LogSlice slice;
                    try {
                      slice = log.read(next, 8192, end);
                    } catch (OrdoException e) {
                      if (e.errorCode() == ErrorCode.OFFSET_OUT_OF_RANGE) {
                        next = log.startOffset();
                        continue;
                      }
                      throw e;
                    }
                    for (byte[] b : batchesOf(slice)) {
                      RecordBatch v = view(b);
                      v.ensureValid();
                      if (v.baseOffset() != next || !expected.matchesPayload(v)) {
                        throw new AssertionError("unexpected batch " + v + " at " + next);
                      }
                      next = v.nextOffset();
                    }
                  }
                } catch (Throwable t) {
                  failure.set(t);
                }
              },
              "log-reader");
      reader.start();
      for (int i = 0; i < total; i++) {
        appendNext(log, batches, 1, clock.nowMs());
        if (i % 10 == 0) {
          log.onGroupEnd(clock.nowMs());
          log.enforceRetention(clock.nowMs());
        }
      }
      reader.join(30_000);
      assertThat(reader.isAlive()).isFalse();
      assertThat(failure.get()).isNull();
    }
  }

  private static long lastOffsetOf(int batchCount, TestBatches batches) {
    long next = 0;
    for (int i = 0; i < batchCount; i++) {
      next += batches.recordCount(next);
    }
    return next;
  }
}
