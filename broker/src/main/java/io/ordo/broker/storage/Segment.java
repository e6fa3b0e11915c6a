package io.ordo.broker.storage;

import io.ordo.protocol.CorruptBatchException;
import io.ordo.protocol.batch.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment of the log: the file {@code <base offset, 20 digits>.log} holding batches back to
 * back, byte for byte as appended, with its {@link OffsetIndex} and {@link TimeIndex} beside it.
 *
 * <p>Threading: the log's writer thread appends, truncates and seals; the log's {@link
 * RecoveryCheckpointer} writes the index files (the writer may append meanwhile, and waits for it
 * before anything else it does to them); reader threads read the published size, next offset and
 * largest timestamp (volatile, written after the bytes and index entries they cover) and read the
 * file with positional calls only.
 */
final class Segment {
  private static final Logger LOG = LoggerFactory.getLogger(Segment.class);
  static final String LOG_SUFFIX = ".log";
  static final String INDEX_SUFFIX = ".index";
  static final String TIME_INDEX_SUFFIX = ".timeindex";
  static final int FILE_NAME_DIGITS = 20;

  private final long baseOffset;
  private final Path logFile;
  private final FileChannel channel;
  private final OffsetIndex offsetIndex;
  private final TimeIndex timeIndex;

  private volatile int sizeBytes;
  private volatile long nextOffset;
  private volatile long maxTimestampMs = Long.MIN_VALUE;

  // Writer state, not read by readers.
  private long runningMaxTimestampMs = Long.MIN_VALUE;
  private int bytesSinceIndexEntry;
  private long lastBatchBaseOffset = -1;
  private long firstAppendMs = Long.MIN_VALUE;
  private boolean sealed;

  private Segment(Path dir, long baseOffset, FileChannel channel, int sizeBytes) {
    this.baseOffset = baseOffset;
    this.logFile = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
    this.channel = channel;
    this.offsetIndex = new OffsetIndex(dir.resolve(fileName(baseOffset, INDEX_SUFFIX)));
    this.timeIndex = new TimeIndex(dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX)));
    this.sizeBytes = sizeBytes;
    this.nextOffset = baseOffset;
  }

  static String fileName(long baseOffset, String suffix) {
    return String.format(Locale.ROOT, "%0" + FILE_NAME_DIGITS + "d%s", baseOffset, suffix);
  }

  /** The base offset named by a segment file name with {@code suffix}, or -1 if it is not one. */
  static long parseBaseOffset(String fileName, String suffix) {
    if (!fileName.endsWith(suffix) || fileName.length() != FILE_NAME_DIGITS + suffix.length()) {
      return -1;
    }
    for (int i = 0; i < FILE_NAME_DIGITS; i++) {
      char c = fileName.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
    }
    try {
      return Long.parseLong(fileName.substring(0, FILE_NAME_DIGITS));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Creates an empty segment, replacing any stale files of the same name. */
  static Segment create(Path dir, long baseOffset) throws IOException {
    Files.deleteIfExists(dir.resolve(fileName(baseOffset, INDEX_SUFFIX)));
    Files.deleteIfExists(dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX)));
    FileChannel ch =
        FileChannel.open(
            dir.resolve(fileName(baseOffset, LOG_SUFFIX)),
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    return new Segment(dir, baseOffset, ch, 0);
  }

  /**
   * Makes a file of zeros prepared by the {@link SegmentPreparer} the new, empty segment: renames
   * it to the segment's name (replacing any stale file) and deletes stale index files. The rename
   * is made durable by the caller's next directory force, before anything in the segment is
   * acknowledged.
   */
  static Segment createFrom(Path dir, long baseOffset, FileChannel prepared, Path preparedFile)
      throws IOException {
    Files.deleteIfExists(dir.resolve(fileName(baseOffset, INDEX_SUFFIX)));
    Files.deleteIfExists(dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX)));
    Files.move(
        preparedFile,
        dir.resolve(fileName(baseOffset, LOG_SUFFIX)),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    prepared.position(0);
    return new Segment(dir, baseOffset, prepared, 0);
  }

  /**
   * Cuts a zero-filled tail left by preparation after the last batch, when the file is longer than
   * its batches, and forces the file with its size.
   */
  void cutPreparedTail() throws IOException {
    if (channel.size() > sizeBytes) {
      channel.truncate(sizeBytes);
      channel.force(true);
    }
  }

  /**
   * Opens an existing segment file for recovery: the size is the file's, the indexes empty and the
   * next offset unknown until recovery sets them.
   */
  static Segment open(Path dir, long baseOffset) throws IOException {
    Path file = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    long size = ch.size();
    if (size > Integer.MAX_VALUE) {
      ch.close();
      throw new IOException(file + " is " + size + " bytes, larger than a segment can be");
    }
    return new Segment(dir, baseOffset, ch, (int) size);
  }

  long baseOffset() {
    return baseOffset;
  }

  Path logFile() {
    return logFile;
  }

  FileChannel channel() {
    return channel;
  }

  OffsetIndex offsetIndex() {
    return offsetIndex;
  }

  TimeIndex timeIndex() {
    return timeIndex;
  }

  int sizeBytes() {
    return sizeBytes;
  }

  long nextOffset() {
    return nextOffset;
  }

  long maxTimestampMs() {
    return maxTimestampMs;
  }

  boolean isEmpty() {
    return sizeBytes == 0;
  }

  boolean sealed() {
    return sealed;
  }

  long firstAppendMs() {
    return firstAppendMs;
  }

  void firstAppendMs(long ms) {
    this.firstAppendMs = ms;
  }

  long lastBatchBaseOffset() {
    return lastBatchBaseOffset;
  }

  int relative(long offset) {
    return Math.toIntExact(offset - baseOffset);
  }

  /**
   * Accounts for one batch written (or found by recovery) at {@code position}: adds an offset-index
   * entry after every {@code indexIntervalBytes} of batches, and a time-index entry beside it when
   * the largest timestamp grew. Recovery replays exactly this rule, so rebuilt indexes are
   * identical to written ones. Writer only; readers see the result after {@link #publish}.
   */
  void indexBatch(
      long batchBaseOffset,
      int position,
      int length,
      long appendTimestampMs,
      int indexIntervalBytes) {
    long max = Math.max(runningMaxTimestampMs, appendTimestampMs);
    if (bytesSinceIndexEntry >= indexIntervalBytes) {
      int rel = relative(batchBaseOffset);
      offsetIndex.append(rel, position);
      if (max > timeIndex.lastTimestamp()) {
        timeIndex.append(max, rel);
      }
      bytesSinceIndexEntry = 0;
    }
    bytesSinceIndexEntry += length;
    runningMaxTimestampMs = max;
    lastBatchBaseOffset = batchBaseOffset;
  }

  /** Makes the bytes up to {@code size} and offsets up to {@code next} visible to readers. */
  void publish(int size, long next) {
    maxTimestampMs = runningMaxTimestampMs;
    sizeBytes = size;
    nextOffset = next;
  }

  /**
   * Restores the writer state of a segment whose indexes were loaded rather than rebuilt, from the
   * batches after its last offset-index entry (recovery and truncation).
   *
   * @param tailMaxTimestampMs largest timestamp of the batches from the last index entry on
   */
  void restoreWriterState(int size, long next, long lastBatchBase, long tailMaxTimestampMs) {
    int n = offsetIndex.entryCount();
    bytesSinceIndexEntry = size - (n == 0 ? 0 : offsetIndex.positionAt(n - 1));
    runningMaxTimestampMs = Math.max(timeIndex.lastTimestamp(), tailMaxTimestampMs);
    lastBatchBaseOffset = lastBatchBase;
    publish(size, next);
  }

  /**
   * Seals the segment ({@link #closeForAppends}) and writes its index files at once ({@link
   * #completeIndexFiles}). The caller forces the log file.
   */
  void seal() throws IOException {
    closeForAppends();
    completeIndexFiles();
  }

  /**
   * Completes the indexes in memory (a last time entry for the largest timestamp); the segment
   * takes no more appends. Its index files are written by {@link #completeIndexFiles}.
   */
  void closeForAppends() {
    if (sealed) {
      return;
    }
    if (lastBatchBaseOffset >= 0 && runningMaxTimestampMs > timeIndex.lastTimestamp()) {
      timeIndex.append(runningMaxTimestampMs, relative(lastBatchBaseOffset));
    }
    offsetIndex.seal();
    timeIndex.seal();
    maxTimestampMs = runningMaxTimestampMs;
    sealed = true;
  }

  /**
   * Writes and forces the index files of a sealed segment and maps them read-only (after a roll, on
   * the log's {@link RecoveryCheckpointer}; until then lookups read the entries in memory).
   */
  void completeIndexFiles() throws IOException {
    offsetIndex.completeFile();
    timeIndex.completeFile();
  }

  /**
   * Marks a segment whose indexes recovery loaded complete from their files as sealed, and
   * publishes it.
   */
  void restoreSealed(int size, long next, long segmentMaxTimestampMs) {
    runningMaxTimestampMs = segmentMaxTimestampMs;
    sealed = true;
    publish(size, next);
  }

  /** Forgets both indexes and the writer state, before recovery rebuilds them. */
  void resetIndexes() {
    ByteBuffer none = ByteBuffer.allocate(0);
    offsetIndex.loadEntries(none, 0);
    timeIndex.loadEntries(none, 0);
    runningMaxTimestampMs = Long.MIN_VALUE;
    bytesSinceIndexEntry = 0;
    lastBatchBaseOffset = -1;
    sealed = false;
  }

  /**
   * Cuts the segment at {@code position}, the start of the batch with base offset {@code offset},
   * and takes appends again: drops index entries at and after it, truncates and forces the file.
   * The caller then calls {@link #restoreWriterState}.
   */
  void truncate(int position, long offset) throws IOException {
    offsetIndex.unseal();
    timeIndex.unseal();
    offsetIndex.truncateToPosition(position);
    timeIndex.truncateToRelativeOffset(offset - baseOffset);
    int t = timeIndex.entryCount();
    if (t > 0 && !offsetIndex.containsRelativeOffset(timeIndex.relativeOffsetAt(t - 1))) {
      timeIndex.truncateEntries(t - 1); // the entry added when the segment was sealed
    }
    sealed = false;
    channel.truncate(position);
    channel.position(position);
    channel.force(true);
  }

  /**
   * Position of the batch that holds {@code offset}, found by walking headers from the nearest
   * offset-index entry; -1 when the walk reaches {@code limit} first. An index entry that does not
   * point at the batch it names (a damaged index file that passed the checks at open) is not
   * trusted: the walk then starts at the segment start.
   *
   * @throws CorruptBatchException when the walk meets a damaged header or a gap in the offsets
   */
  long locate(long offset, BatchReader reader, long limit) throws IOException {
    long entry = offsetIndex.floorEntry(offset - baseOffset);
    long pos = (int) entry;
    reader.on(channel);
    if (pos > 0 && !startsBatch(reader, pos, baseOffset + (entry >>> 32), limit)) {
      LOG.warn(
          "{}: index entry for offset {} does not point at its batch; reading from the start",
          offsetIndex.path(),
          baseOffset + (entry >>> 32));
      pos = 0;
    }
    while (true) {
      RecordBatch h = reader.header(pos, limit);
      if (h == null) {
        return -1;
      }
      if (h.baseOffset() > offset) {
        throw new CorruptBatchException(
            "no stored batch holds offset "
                + offset
                + ": the batch at position "
                + pos
                + " of "
                + logFile.getFileName()
                + " starts at "
                + h.baseOffset());
      }
      if (h.nextOffset() > offset) {
        return pos;
      }
      pos += h.length();
    }
  }

  private static boolean startsBatch(BatchReader reader, long pos, long base, long limit)
      throws IOException {
    try {
      RecordBatch h = reader.header(pos, limit);
      return h != null && h.baseOffset() == base;
    } catch (CorruptBatchException e) {
      return false;
    }
  }

  SegmentInfo info(boolean active) {
    int size = sizeBytes;
    return new SegmentInfo(
        baseOffset,
        nextOffset,
        size,
        maxTimestampMs,
        offsetIndex.entryCount(),
        timeIndex.entryCount(),
        active,
        logFile);
  }

  void close() throws IOException {
    channel.close();
  }

  /** Unlinks the files; the channel stays open for readers until {@link #close()}. */
  void deleteFiles() throws IOException {
    Files.deleteIfExists(logFile);
    offsetIndex.deleteFile();
    timeIndex.deleteFile();
  }

  @Override
  public String toString() {
    return "Segment{"
        + logFile.getFileName()
        + ", next="
        + nextOffset
        + ", size="
        + sizeBytes
        + "}";
  }
}
