package io.ordo.broker.storage;

import io.ordo.protocol.CorruptBatchException;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segmented, append-only log of one broker: record batches stored byte for byte as the
 * sequencer stamped them, in segment files rolled by size and age, with a sparse offset index and a
 * time index per segment, group fsync, retention, truncation for followers and crash recovery (see
 * {@link LogRecovery}).
 *
 * <p>Threading: exactly one writer thread calls {@link #append}, {@link #onGroupEnd}, {@link
 * #flush}, {@link #truncateTo}, {@link #enforceRetention} and {@link #close}; recovery checkpoints
 * and the index files of segments sealed by a roll are written on a thread of the log's own ({@link
 * RecoveryCheckpointer}). Any number of reader threads call {@link #read}, {@link
 * #offsetForTimestamp}, {@link #forEachBatch}, {@link #segments} and the offset getters
 * concurrently, without locks: the writer writes the bytes and index entries first and then
 * publishes the new end through volatile fields; segments live in a {@link ConcurrentSkipListMap}.
 * Readers must stay at or below the commit offset when the log may be truncated: {@link
 * #truncateTo} only cuts uncommitted batches, which readers never ask for.
 *
 * <p>Deleted segments: retention and truncation unlink a segment's files at once but keep its
 * channel open for {@link LogConfig#fileDeleteDelayMs()} (closed by a later {@link #onGroupEnd} or
 * {@link #enforceRetention}), so a {@link LogSlice} handed to a reader stays readable while it is
 * sent (POSIX keeps an unlinked file's data while a descriptor is open). This needs no reference
 * counting on the read path.
 *
 * <p>Failures: an {@link IOException} while writing or forcing leaves the log failed (fail-stop, as
 * data after a failed fsync cannot be trusted): every later writer call throws until the log is
 * closed and reopened, which recovers it from disk.
 */
public final class Log implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Log.class);
  private static final String LOCK_FILE_NAME = ".lock";
  private static final int WRITER_WINDOW_BYTES = 2048;

  private final LogConfig config;
  private final LogClock clock;
  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
  private final LogReader reader = new LogReader(segments);
  private final long recoveryScannedBytes;

  private volatile long startOffset;
  private volatile long nextOffset;
  private volatile long durableOffset;
  private volatile long lastTerm;
  private volatile boolean closed;

  // Writer state.
  private Segment active;
  private boolean failed;
  private RecoveryCheckpoint checkpoint;
  private long durableSegmentBase;
  private int durablePosition;
  private long durableTerm;
  private long reportedDurableOffset;
  private long lastFsyncMs;
  private long lastCheckpointMs;
  private final ArrayDeque<PendingClose> pendingCloses = new ArrayDeque<>();
  private final BatchReader writerReader = new BatchReader(WRITER_WINDOW_BYTES);
  private final ByteBuffer[] single = new ByteBuffer[1];
  private final AppendGroup group;
  private final SegmentPreparer preparer; // null without preallocation
  private final RecoveryCheckpointer checkpointer;
  private boolean preparationRequested;

  /** Where the prepared zeros of the active segment's file end (0: appends grow the file). */
  private long activeZerosEnd;

  private record PendingClose(Segment segment, long closeAtMs) {}

  private Log(
      LogConfig config,
      LogClock clock,
      FileChannel lockChannel,
      FileLock lock,
      LogRecovery.Result recovered) {
    this.config = config;
    this.clock = clock;
    this.dir = config.dir();
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.group = new AppendGroup(config.maxBatchBytes());
    this.preparer = config.preallocate() ? new SegmentPreparer(dir, config.segmentBytes()) : null;
    this.checkpointer = new RecoveryCheckpointer("ordo-log-checkpointer");
    for (Segment s : recovered.segments()) {
      segments.put(s.baseOffset(), s);
    }
    this.active = segments.lastEntry().getValue();
    this.recoveryScannedBytes = recovered.scannedBytes();
    this.checkpoint = recovered.checkpoint();
    this.startOffset = segments.firstKey();
    this.nextOffset = recovered.nextOffset();
    this.lastTerm = recovered.lastTerm();
    long now = clock.nowMs();
    if (active.firstAppendMs() == Long.MIN_VALUE && !active.isEmpty()) {
      active.firstAppendMs(now);
    }
    this.lastFsyncMs = now;
    this.lastCheckpointMs = now;
    markDurable();
    this.reportedDurableOffset = durableOffset;
  }

  /**
   * Opens the log in {@code config.dir()}, creating the directory and an empty log at offset 0, or
   * recovering what is there. Takes an exclusive lock on the directory until {@link #close}.
   *
   * @throws IOException when the directory cannot be used or is locked by another log
   */
  public static Log open(LogConfig config, LogClock clock) throws IOException {
    Path dir = config.dir();
    Files.createDirectories(dir);
    FileChannel lockChannel =
        FileChannel.open(
            dir.resolve(LOCK_FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IOException("log directory " + dir + " is in use by another open log");
    }
    try {
      LogRecovery.Result recovered = new LogRecovery(config).recover();
      return new Log(config, clock, lockChannel, lock, recovered);
    } catch (IOException | RuntimeException | Error e) {
      lockChannel.close();
      throw e;
    }
  }

  public LogConfig config() {
    return config;
  }

  /** First offset still stored (after retention). */
  public long startOffset() {
    return startOffset;
  }

  /** The log end offset: the base offset the next appended batch must have. */
  public long nextOffset() {
    return nextOffset;
  }

  /**
   * Every offset below this is on disk (fsynced). With {@link FsyncPolicy#NEVER} it moves only when
   * a roll, {@link #flush} or {@link #close} forces the file.
   */
  public long durableOffset() {
    return durableOffset;
  }

  /**
   * Term of the last batch appended, or 0 when there is none. Retention deleting that batch keeps
   * its term here (a follower still needs it to match the leader's previous term); truncating the
   * whole log to {@link #startOffset()} resets it to 0.
   */
  public long lastTerm() {
    return lastTerm;
  }

  // ---------------------------------------------------------------------------------- writes

  /**
   * Appends one stamped batch, the bytes in {@code [position, limit)} of {@code batch}, as they are
   * (no copy when the buffer is direct), rolling to a new segment first when needed. Does not
   * fsync: see {@link #onGroupEnd}. The buffer's position and limit are unchanged on return.
   *
   * @throws IllegalArgumentException when the batch's base offset is not {@link #nextOffset()}, its
   *     length field is not the bytes given, its header CRC is wrong, its term is below {@link
   *     #lastTerm()} or it is larger than {@link LogConfig#maxBatchBytes()}; nothing is written
   */
  public void append(ByteBuffer batch) throws IOException {
    single[0] = batch;
    try {
      append(single, 1);
    } finally {
      single[0] = null;
    }
  }

  /**
   * Appends {@code batches[0..count)} (consecutive stamped batches, each as for {@link
   * #append(ByteBuffer)}) with gathering writes. Either every batch is checked good and written,
   * or, on {@link IllegalArgumentException}, none is.
   */
  public void append(ByteBuffer[] batches, int count) throws IOException {
    ensureWritable();
    group.check(batches, count, nextOffset, lastTerm);
    if (count == 0) {
      return;
    }
    long now = clock.nowMs();
    try {
      int i = 0;
      while (i < count) {
        if (mustRoll(active.sizeBytes(), group.length(i), group.nextOffset(i), now)) {
          roll(now);
        }
        int from = i;
        long runBytes = (long) active.sizeBytes() + group.length(i);
        i++;
        while (i < count && !mustRoll(runBytes, group.length(i), group.nextOffset(i), now)) {
          runBytes += group.length(i);
          i++;
        }
        writeRun(batches, from, i, now);
      }
    } catch (IOException e) {
      fail(e);
      throw e;
    }
  }

  private boolean mustRoll(long segmentBytes, int batchBytes, long batchNextOffset, long nowMs) {
    if (segmentBytes == 0) {
      return false;
    }
    return segmentBytes + batchBytes > config.segmentBytes()
        || nowMs - active.firstAppendMs() >= config.segmentMs()
        || batchNextOffset - active.baseOffset() > Integer.MAX_VALUE;
  }

  private void writeRun(ByteBuffer[] batches, int from, int to, long nowMs) throws IOException {
    Segment seg = active;
    int start = seg.sizeBytes();
    long total = 0;
    for (int i = from; i < to; i++) {
      total += group.length(i);
    }
    FileChannel ch = seg.channel();
    try {
      long written = 0;
      while (written < total) {
        written += ch.write(batches, from, to - from);
      }
    } finally {
      for (int i = from; i < to; i++) {
        batches[i].position(group.position(i));
      }
    }
    if (start == 0) {
      seg.firstAppendMs(nowMs);
    }
    int pos = start;
    for (int i = from; i < to; i++) {
      seg.indexBatch(
          group.baseOffset(i),
          pos,
          group.length(i),
          group.appendTimestamp(i),
          config.indexIntervalBytes());
      pos += group.length(i);
    }
    long next = group.nextOffset(to - 1);
    seg.publish(pos, next);
    lastTerm = group.term(to - 1);
    nextOffset = next;
    if (preparer != null) {
      preparer.activeBytes(pos);
      if (!preparationRequested) {
        preparer.request();
        preparationRequested = true;
      }
    }
  }

  private void roll(long nowMs) throws IOException {
    checkpointer.awaitIdle(); // it may be writing the index files about to be sealed
    Segment old = active;
    old.channel().force(false);
    old.cutPreparedTail(); // before a checkpoint names the next segment: old is then trusted
    old.closeForAppends();
    Segment fresh = createSegment(nextOffset);
    segments.put(fresh.baseOffset(), fresh);
    active = fresh;
    lastFsyncMs = nowMs;
    markDurable();
    // The new segment's file name (a rename of the prepared file, or a new file) is durable
    // before anything in it is acknowledged; the old segment's index files and the checkpoint
    // naming the new segment follow in the background (recovery rebuilds missing index files,
    // and an older checkpoint only makes it scan further).
    RecoveryCheckpoint.forceDirectory(dir);
    RecoveryCheckpoint cp = new RecoveryCheckpoint(nextOffset, fresh.baseOffset(), 0, lastTerm);
    submitCheckpoint(
        cp,
        () -> {
          old.completeIndexFiles();
          cp.write(dir);
        },
        false,
        nowMs);
    LOG.debug("Rolled {} to a new segment at offset {}", dir, nextOffset);
  }

  /** A new empty segment, in the prepared file when one is ready. */
  private Segment createSegment(long baseOffset) throws IOException {
    preparationRequested = false;
    activeZerosEnd(0);
    FileChannel prepared = preparer == null ? null : preparer.take();
    if (prepared == null) {
      if (preparer != null) {
        LOG.info(
            "Rolled {} at offset {} into an empty file: the next segment's file was less than half"
                + " prepared ({} of {} bytes)",
            dir,
            baseOffset,
            preparer.preparedBytes(),
            config.segmentBytes());
      }
      return Segment.create(dir, baseOffset);
    }
    try {
      long zeros = prepared.size();
      if (zeros < config.segmentBytes()) {
        LOG.info(
            "Rolled {} at offset {} into a file prepared in part ({} of {} bytes)",
            dir,
            baseOffset,
            zeros,
            config.segmentBytes());
      }
      Segment fresh = Segment.createFrom(dir, baseOffset, prepared, preparer.file());
      activeZerosEnd(zeros);
      return fresh;
    } catch (IOException | RuntimeException e) {
      prepared.close();
      throw e;
    }
  }

  /**
   * Ends an append group (called by the sequencer after each one): fsyncs as the {@link
   * FsyncPolicy} says, has a recovery checkpoint written in the background when {@link
   * LogConfig#checkpointIntervalMs()} has passed, and closes deleted segments whose grace period is
   * over.
   *
   * @return true when {@link #durableOffset()} advanced since the previous call
   */
  public boolean onGroupEnd(long nowMs) throws IOException {
    ensureWritable();
    try {
      switch (config.fsyncPolicy()) {
        case EVERY_GROUP -> forceActive(nowMs);
        case INTERVAL -> {
          if (nowMs - lastFsyncMs >= config.fsyncIntervalMs()) {
            forceActive(nowMs);
          }
        }
        case NEVER -> {}
      }
      checkpointer.throwIfFailed();
      if (durableOffset > checkpoint.offset()
          && nowMs - lastCheckpointMs >= config.checkpointIntervalMs()) {
        submitDurableCheckpoint(nowMs);
      }
      closeExpired(nowMs);
    } catch (IOException e) {
      fail(e);
      throw e;
    }
    boolean advanced = durableOffset > reportedDurableOffset;
    reportedDurableOffset = durableOffset;
    return advanced;
  }

  /** Fsyncs everything appended so far. */
  public void flush() throws IOException {
    ensureWritable();
    try {
      forceActive(clock.nowMs());
    } catch (IOException e) {
      fail(e);
      throw e;
    }
  }

  private void forceActive(long nowMs) throws IOException {
    if (durableOffset < nextOffset) {
      active.channel().force(false);
      markDurable();
    }
    lastFsyncMs = nowMs;
  }

  /** Records that everything appended so far is on disk. */
  private void markDurable() {
    durableSegmentBase = active.baseOffset();
    durablePosition = active.sizeBytes();
    durableTerm = lastTerm;
    durableOffset = nextOffset;
  }

  /**
   * Hands the checkpoint of what is durable now to the {@link RecoveryCheckpointer}: the active
   * segment's index entries as they are now (each names a batch appended, and with {@link
   * FsyncPolicy#EVERY_GROUP} durable), then the checkpoint file.
   */
  private void submitDurableCheckpoint(long nowMs) {
    RecoveryCheckpoint cp =
        new RecoveryCheckpoint(durableOffset, durableSegmentBase, durablePosition, durableTerm);
    submitCheckpoint(cp, indexesThen(cp, segments.get(durableSegmentBase)), true, nowMs);
  }

  /**
   * A job that writes the index entries {@code s} has now, when it is the active segment (a sealed
   * one's files are complete or on their way), and then {@code cp}.
   */
  private RecoveryCheckpointer.Job indexesThen(RecoveryCheckpoint cp, Segment s) {
    if (s != active) {
      return () -> cp.write(dir);
    }
    int offsetEntries = s.offsetIndex().entryCount();
    int timeEntries = s.timeIndex().entryCount();
    return () -> {
      s.offsetIndex().writeToFile(offsetEntries);
      s.timeIndex().writeToFile(timeEntries);
      cp.write(dir);
    };
  }

  /**
   * Hands {@code job}, which writes {@code cp} last, to the {@link RecoveryCheckpointer} (see there
   * for {@code replaceable}).
   */
  private void submitCheckpoint(
      RecoveryCheckpoint cp, RecoveryCheckpointer.Job job, boolean replaceable, long nowMs) {
    checkpointer.submit(job, replaceable);
    checkpoint = cp;
    lastCheckpointMs = nowMs;
  }

  /**
   * Drops every batch whose base offset is at or above {@code offset} (a follower removing a suffix
   * that diverges from the leader), durably. Segments after the cut are deleted.
   *
   * @throws IllegalArgumentException when {@code offset} is not the base offset of a stored batch
   *     or {@link #nextOffset()}
   */
  public void truncateTo(long offset) throws IOException {
    ensureWritable();
    long end = nextOffset;
    if (offset == end) {
      return;
    }
    if (offset < startOffset || offset > end) {
      throw new IllegalArgumentException(
          "cannot truncate to " + offset + ": the log holds [" + startOffset + ", " + end + ")");
    }
    Segment target = segments.floorEntry(offset).getValue();
    int position = 0;
    if (offset != target.baseOffset()) {
      long p = target.locate(offset, writerReader, target.sizeBytes());
      RecordBatch h = p < 0 ? null : writerReader.header(p, target.sizeBytes());
      if (h == null || h.baseOffset() != offset) {
        throw new IllegalArgumentException(
            "cannot truncate to " + offset + ": it is inside a batch, not at its start");
      }
      position = (int) p;
    }
    long termBefore = termBefore(offset);
    long now = clock.nowMs();
    try {
      checkpointer.awaitIdle(); // the checkpoint below is then the one on disk
      // A checkpoint past the cut, or at it with another term (a cut to the log start, whose term
      // before is unknown here once retention deleted that batch: 0), is rewritten, so that a
      // restart recovers the term this log now reports.
      if (checkpoint.offset() > offset
          || (checkpoint.offset() == offset && checkpoint.term() != termBefore)) {
        RecoveryCheckpoint cp =
            new RecoveryCheckpoint(offset, target.baseOffset(), position, termBefore);
        submitCheckpoint(cp, indexesThen(cp, target), false, now);
        checkpointer.awaitIdle(); // on disk before anything is cut
      }
      nextOffset = offset;
      for (Segment s : new ArrayList<>(segments.tailMap(target.baseOffset(), false).values())) {
        segments.remove(s.baseOffset());
        s.deleteFiles();
        scheduleClose(s, now);
      }
      target.truncate(position, offset);
      LogRecovery.resumeAfterTruncate(target, writerReader, position, offset);
      RecoveryCheckpoint.forceDirectory(dir);
      active = target;
      activeZerosEnd(0); // cut at the position
      preparationRequested = false;
      active.firstAppendMs(position == 0 ? Long.MIN_VALUE : firstAppendOf(target, now));
      lastTerm = termBefore;
      if (durableOffset >= offset) {
        durableSegmentBase = target.baseOffset();
        durablePosition = position;
        durableTerm = termBefore;
        durableOffset = offset;
      }
      reportedDurableOffset = Math.min(reportedDurableOffset, durableOffset);
      LOG.info("Truncated {} to offset {} (was {})", dir, offset, end);
    } catch (IOException e) {
      fail(e);
      throw e;
    }
  }

  private long firstAppendOf(Segment s, long nowMs) throws IOException {
    if (s.firstAppendMs() != Long.MIN_VALUE) {
      return s.firstAppendMs();
    }
    RecordBatch h = writerReader.on(s.channel()).header(0, s.sizeBytes());
    return h == null ? nowMs : h.appendTimestamp();
  }

  /** Term of the batch just below {@code offset}, or 0 when there is none. */
  private long termBefore(long offset) throws IOException {
    if (offset <= startOffset) {
      return 0;
    }
    Segment s = segments.floorEntry(offset - 1).getValue();
    long p = s.locate(offset - 1, writerReader, s.sizeBytes());
    RecordBatch h = p < 0 ? null : writerReader.header(p, s.sizeBytes());
    if (h == null) {
      throw new CorruptBatchException("no stored batch holds offset " + (offset - 1));
    }
    return h.term();
  }

  /**
   * Deletes whole segments from the start of the log, never the active one: while the log stays at
   * least {@link LogConfig#retentionBytes()} without the segment, or while the segment's newest
   * batch is older than {@link LogConfig#retentionMs()}. Also closes deleted segments whose grace
   * period is over.
   *
   * @return how many segments were deleted
   */
  public int enforceRetention(long nowMs) throws IOException {
    ensureWritable();
    try {
      closeExpired(nowMs);
      long total = 0;
      for (Segment s : segments.values()) {
        total += s.sizeBytes();
      }
      int deleted = 0;
      for (Segment s : segments.values()) {
        if (s == active) {
          break;
        }
        boolean bySize =
            config.retentionBytes() >= 0 && total - s.sizeBytes() >= config.retentionBytes();
        boolean byAge =
            config.retentionMs() >= 0 && nowMs - s.maxTimestampMs() > config.retentionMs();
        if (!bySize && !byAge) {
          break;
        }
        if (deleted == 0) {
          checkpointer.awaitIdle(); // it may be writing this segment's index files
        }
        startOffset = segments.higherKey(s.baseOffset());
        segments.remove(s.baseOffset());
        s.deleteFiles();
        scheduleClose(s, nowMs);
        total -= s.sizeBytes();
        deleted++;
        LOG.info(
            "Retention deleted {} (offsets [{}, {}), {} bytes, by {})",
            s.logFile().getFileName(),
            s.baseOffset(),
            s.nextOffset(),
            s.sizeBytes(),
            bySize ? "size" : "age");
      }
      return deleted;
    } catch (IOException e) {
      fail(e);
      throw e;
    }
  }

  private void scheduleClose(Segment s, long nowMs) throws IOException {
    if (config.fileDeleteDelayMs() == 0) {
      s.close();
    } else {
      pendingCloses.add(new PendingClose(s, nowMs + config.fileDeleteDelayMs()));
    }
  }

  private void closeExpired(long nowMs) throws IOException {
    while (!pendingCloses.isEmpty() && pendingCloses.peek().closeAtMs() <= nowMs) {
      pendingCloses.poll().segment().close();
    }
  }

  /** Fsyncs, writes the recovery checkpoint and releases every file. Idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    IOException error = null;
    try {
      if (!failed) {
        long now = clock.nowMs();
        checkpointer.awaitIdle();
        forceActive(now);
        active.cutPreparedTail();
        submitDurableCheckpoint(now);
        checkpointer.awaitIdle();
      }
    } catch (IOException e) {
      error = e;
    } finally {
      IOException releaseError = release();
      if (error == null) {
        error = releaseError;
      }
    }
    if (error != null) {
      throw error;
    }
  }

  /** Releases every file without forcing or checkpointing anything: a simulated crash. */
  void closeAbruptly() throws IOException {
    if (!closed) {
      IOException e = release();
      if (e != null) {
        throw e;
      }
    }
  }

  private IOException release() {
    closed = true;
    checkpointer.close();
    if (preparer != null) {
      preparer.close();
    }
    IOException error = null;
    List<Segment> all = new ArrayList<>(segments.values());
    for (PendingClose p : pendingCloses) {
      all.add(p.segment());
    }
    pendingCloses.clear();
    for (Segment s : all) {
      try {
        s.close();
      } catch (IOException e) {
        error = error == null ? e : error;
      }
    }
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      error = error == null ? e : error;
    }
    return error;
  }

  private void ensureWritable() throws IOException {
    if (closed) {
      throw new IllegalStateException("log " + dir + " is closed");
    }
    if (failed) {
      throw new IOException(
          "log " + dir + " failed after an earlier I/O error; close and reopen it to recover");
    }
  }

  private void fail(IOException e) {
    if (!failed) {
      failed = true;
      LOG.error("Log {} failed; it takes no more writes until reopened", dir, e);
    }
  }

  // ----------------------------------------------------------------------------------- reads

  /**
   * Whole batches from one segment, starting with the batch that holds {@code offset}: at least one
   * batch (even one larger than {@code maxBytes}), then more while they fit in {@code maxBytes},
   * and none that ends above {@code maxOffsetExclusive} (pass the commit offset). The header CRC of
   * every batch returned is checked; payload CRCs are left to the receiver, as the bytes go from
   * the file to the socket without passing through the broker.
   *
   * @return {@link LogSlice#EMPTY} at the end of the log or at {@code maxOffsetExclusive}
   * @throws OrdoException with {@link ErrorCode#OFFSET_OUT_OF_RANGE} below {@link #startOffset()}
   *     or above {@link #nextOffset()}
   * @throws CorruptBatchException when the batch holding {@code offset} is damaged
   */
  public LogSlice read(long offset, int maxBytes, long maxOffsetExclusive) throws IOException {
    ensureReadable();
    long end = nextOffset;
    return reader.read(offset, maxBytes, maxOffsetExclusive, startOffset, end);
  }

  /**
   * The first offset whose batch was appended at or after {@code timestampMs}, or {@link
   * #nextOffset()} when there is none.
   */
  public long offsetForTimestamp(long timestampMs) throws IOException {
    ensureReadable();
    return reader.offsetForTimestamp(timestampMs, nextOffset);
  }

  /**
   * Reads every batch from the one holding {@code fromOffset} to the end of the log (as it was when
   * called), checks it in full (length, both CRCs, offsets contiguous) and hands it to {@code
   * visitor}.
   *
   * @throws CorruptBatchException at the first batch that fails a check; it is not handed on
   * @throws OrdoException with {@link ErrorCode#OFFSET_OUT_OF_RANGE} outside the log
   */
  public void forEachBatch(long fromOffset, BatchVisitor visitor) throws IOException {
    ensureReadable();
    long end = nextOffset;
    reader.forEachBatch(fromOffset, visitor, startOffset, end);
  }

  private void ensureReadable() {
    if (closed) {
      throw new OrdoException(ErrorCode.BROKER_UNAVAILABLE, "log " + dir + " is closed");
    }
  }

  /** A snapshot of every segment, oldest first. */
  public List<SegmentInfo> segments() {
    List<SegmentInfo> out = new ArrayList<>();
    Map.Entry<Long, Segment> last = segments.lastEntry();
    for (Segment s : segments.values()) {
      out.add(s.info(last != null && s == last.getValue()));
    }
    return out;
  }

  // ------------------------------------------------------------------------------ for tests

  /** Whether a prepared file is waiting for the next roll (for tests). */
  boolean preparedSegmentReady() {
    return preparer != null && preparer.isReady();
  }

  /** Where the active segment's prepared zeros end, for the preparer's chunk size too. */
  private void activeZerosEnd(long end) {
    activeZerosEnd = end;
    if (preparer != null) {
      preparer.activeZerosEnd(end);
    }
  }

  /** Whether the next append to the active segment overwrites prepared zeros (for tests). */
  boolean appendsOverwriteZeros() {
    return active.sizeBytes() < activeZerosEnd;
  }

  /** Bytes recovery checked in full when this log opened (0 after a clean close). */
  long recoveryScannedBytes() {
    return recoveryScannedBytes;
  }

  /** The latest checkpoint made: written, or being written in the background (for tests). */
  RecoveryCheckpoint checkpoint() {
    return checkpoint;
  }

  /** Waits until the background checkpoint, if any, is on disk (for tests). */
  void awaitCheckpointWritten() throws IOException {
    checkpointer.awaitIdle();
  }

  /**
   * Waits until the background checkpoint, if any, is written or has failed, leaving a failure for
   * the next group end to report (for tests).
   */
  void awaitCheckpointAttempted() {
    checkpointer.awaitQuiet();
  }

  int pendingCloseCount() {
    return pendingCloses.size();
  }

  @Override
  public String toString() {
    return "Log{" + dir + ", [" + startOffset + ", " + nextOffset + ")}";
  }
}
