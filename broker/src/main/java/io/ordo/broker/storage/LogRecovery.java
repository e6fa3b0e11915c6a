package io.ordo.broker.storage;

import io.ordo.protocol.CorruptBatchException;
import io.ordo.protocol.batch.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a log directory to a consistent state when a {@link Log} opens, after a clean close or a
 * crash.
 *
 * <ol>
 *   <li>Segments wholly below the {@link RecoveryCheckpoint} are trusted: their index files are
 *       loaded after a sanity check and a walk over the headers after the last index entry, and
 *       rebuilt from the headers when missing or wrong. Damage found there is logged and left in
 *       place: those batches may be committed, so they are never served (readers check CRCs) and
 *       must be repaired from a peer.
 *   <li>In the checkpoint's segment the bytes below the checkpoint position are trusted the same
 *       way; from there to the end of the log every batch is checked in full (length, header CRC,
 *       payload CRC, offsets contiguous, terms non-decreasing) and the log is cut at the first bad
 *       or torn batch, with what was dropped logged at WARN. Segments after the cut are deleted.
 *   <li>Everything kept is forced to disk, and a new checkpoint at the end is written.
 * </ol>
 *
 * Runs on the thread opening the log, before the log is visible to anyone.
 */
final class LogRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(LogRecovery.class);
  private static final int HEADER_WINDOW_BYTES = 8 * 1024;
  private static final int SCAN_WINDOW_BYTES = 1024 * 1024;

  private final LogConfig config;
  private final Path dir;
  private final BatchReader headers = new BatchReader(HEADER_WINDOW_BYTES);
  private final BatchReader batches = new BatchReader(SCAN_WINDOW_BYTES);
  private long scannedBytes;

  /** What the log starts from: segments in offset order, the last one open for appends. */
  record Result(
      List<Segment> segments,
      long nextOffset,
      long lastTerm,
      RecoveryCheckpoint checkpoint,
      long scannedBytes) {}

  /** The position up to which the scan found good batches. */
  private static final class Scan {
    long expectedOffset;
    long term;
    long position;
    String failure;
  }

  LogRecovery(LogConfig config) {
    this.config = config;
    this.dir = config.dir();
  }

  Result recover() throws IOException {
    Files.deleteIfExists(dir.resolve(RecoveryCheckpoint.TEMP_FILE_NAME));
    Files.deleteIfExists(dir.resolve(SegmentPreparer.FILE_NAME));
    List<Segment> segments = openSegments();
    try {
      return recover(segments);
    } catch (IOException | RuntimeException | Error e) {
      for (Segment s : segments) {
        try {
          s.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private List<Segment> openSegments() throws IOException {
    TreeSet<Long> bases = new TreeSet<>();
    List<Path> indexFiles = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path p : files) {
        String name = p.getFileName().toString();
        long base = Segment.parseBaseOffset(name, Segment.LOG_SUFFIX);
        if (base >= 0) {
          bases.add(base);
        } else if (Segment.parseBaseOffset(name, Segment.INDEX_SUFFIX) >= 0
            || Segment.parseBaseOffset(name, Segment.TIME_INDEX_SUFFIX) >= 0) {
          indexFiles.add(p);
        }
      }
    }
    for (Path p : indexFiles) {
      String name = p.getFileName().toString();
      long base =
          Math.max(
              Segment.parseBaseOffset(name, Segment.INDEX_SUFFIX),
              Segment.parseBaseOffset(name, Segment.TIME_INDEX_SUFFIX));
      if (!bases.contains(base)) {
        LOG.info("Deleting {}: its segment file is gone", p);
        Files.deleteIfExists(p);
      }
    }
    List<Segment> segments = new ArrayList<>();
    try {
      for (long base : bases) {
        segments.add(Segment.open(dir, base));
      }
    } catch (IOException e) {
      for (Segment s : segments) {
        s.close();
      }
      throw e;
    }
    return segments;
  }

  private Result recover(List<Segment> segments) throws IOException {
    if (segments.isEmpty()) {
      segments.add(Segment.create(dir, 0));
      RecoveryCheckpoint cp = new RecoveryCheckpoint(0, 0, 0, 0);
      cp.write(dir);
      return new Result(segments, 0, 0, cp, 0);
    }
    RecoveryCheckpoint cp = readCheckpoint(segments);
    Scan scan = new Scan();
    int scanFrom = 0;
    scan.expectedOffset = segments.get(0).baseOffset();
    if (cp != null) {
      int ci = indexOf(segments, cp.segmentBaseOffset());
      for (int i = 0; i < ci; i++) {
        scan.term = loadTrusted(segments.get(i), segments.get(i + 1).baseOffset(), scan.term);
      }
      Segment cs = segments.get(ci);
      scanFrom = ci;
      if (loadTrustedPrefix(cs, cp)) {
        scan.position = cp.position();
        scan.expectedOffset = cp.offset();
        scan.term = cp.term();
      } else {
        cs.resetIndexes();
        scan.expectedOffset = cs.baseOffset();
      }
    }

    int failedAt = -1;
    for (int i = scanFrom; i < segments.size(); i++) {
      Segment s = segments.get(i);
      long from = i == scanFrom ? scan.position : 0;
      if (from == 0 && s.baseOffset() != scan.expectedOffset) {
        scan.position = 0;
        scan.failure =
            "segment "
                + s.logFile().getFileName()
                + " does not start where the log before it ends, at offset "
                + scan.expectedOffset;
      } else {
        scanSegment(s, from, scan);
      }
      if (scan.failure != null) {
        failedAt = i;
        break;
      }
    }
    if (failedAt >= 0) {
      cutAt(segments, failedAt, scan);
    }

    Segment active = segments.get(segments.size() - 1);
    for (int i = Math.min(scanFrom, segments.size() - 1); i < segments.size(); i++) {
      Segment s = segments.get(i);
      s.channel().force(true);
      if (s != active) {
        s.seal();
      }
    }
    if (active.sealed()) {
      reopenForAppends(active, headers);
    }
    active.channel().position(active.sizeBytes());
    active.firstAppendMs(firstTimestamp(active));
    active.offsetIndex().writeToFile();
    active.timeIndex().writeToFile();
    RecoveryCheckpoint end =
        new RecoveryCheckpoint(
            active.nextOffset(), active.baseOffset(), active.sizeBytes(), scan.term);
    end.write(dir);
    if (scannedBytes > 0) {
      LOG.info(
          "Recovered log {}: checked {} bytes after the recovery checkpoint, offsets [{}, {})",
          dir,
          scannedBytes,
          segments.get(0).baseOffset(),
          active.nextOffset());
    }
    return new Result(segments, active.nextOffset(), scan.term, end, scannedBytes);
  }

  private RecoveryCheckpoint readCheckpoint(List<Segment> segments) {
    Optional<RecoveryCheckpoint> read;
    try {
      read = RecoveryCheckpoint.read(dir);
    } catch (IOException e) {
      LOG.warn(
          "Ignoring the recovery checkpoint of {} ({}); checking every segment in full",
          dir,
          e.getMessage());
      return null;
    }
    if (read.isEmpty()) {
      LOG.warn("Log {} has no recovery checkpoint; checking every segment in full", dir);
      return null;
    }
    RecoveryCheckpoint cp = read.get();
    if (indexOf(segments, cp.segmentBaseOffset()) < 0) {
      LOG.warn(
          "The recovery checkpoint of {} names segment {}, which is missing; checking every"
              + " segment in full",
          dir,
          cp.segmentBaseOffset());
      return null;
    }
    return cp;
  }

  private static int indexOf(List<Segment> segments, long baseOffset) {
    for (int i = 0; i < segments.size(); i++) {
      if (segments.get(i).baseOffset() == baseOffset) {
        return i;
      }
    }
    return -1;
  }

  /** Loads a segment wholly below the checkpoint; returns the term of its last batch. */
  private long loadTrusted(Segment s, long nextBase, long previousTerm) throws IOException {
    int size = s.sizeBytes();
    long span = nextBase - s.baseOffset();
    int interval = config.indexIntervalBytes();
    String rebuildReason = null;
    ByteBuffer offsets = mapWhole(s.offsetIndex().path(), OffsetIndex.ENTRY_SIZE);
    ByteBuffer times = mapWhole(s.timeIndex().path(), TimeIndex.ENTRY_SIZE);
    if (offsets == null || times == null) {
      rebuildReason = "an index file is missing or torn";
    } else {
      int on = offsets.capacity() / OffsetIndex.ENTRY_SIZE;
      int tn = times.capacity() / TimeIndex.ENTRY_SIZE;
      if (OffsetIndex.saneEntries(offsets, on, size, span) != on
          || TimeIndex.saneEntries(times, tn, span) != tn) {
        rebuildReason = "an index entry is out of order or out of range";
      } else {
        s.offsetIndex().loadSealed(offsets, on);
        s.timeIndex().loadSealed(times, tn);
        long fromPos = on == 0 ? 0 : s.offsetIndex().positionAt(on - 1);
        long fromOffset = s.baseOffset() + (on == 0 ? 0 : s.offsetIndex().relativeOffsetAt(on - 1));
        SegmentWalk w = SegmentWalk.run(s, headers, fromPos, fromOffset, size, interval, false);
        if (w.missingIndexEntry()) {
          rebuildReason = "the offset index ends early";
        } else if (w.damage() == null && !timeIndexAgrees(s, w, true)) {
          rebuildReason = "the time index does not match the segment";
        } else {
          reportDamage(s, w, nextBase);
          s.restoreSealed(size, nextBase, s.timeIndex().lastTimestamp());
          return w.lastTerm() >= 0 ? w.lastTerm() : previousTerm;
        }
      }
    }
    LOG.info("Rebuilding the indexes of {}: {}", s.logFile(), rebuildReason);
    s.resetIndexes();
    SegmentWalk w = SegmentWalk.run(s, headers, 0, s.baseOffset(), size, interval, true);
    reportDamage(s, w, nextBase);
    s.publish(size, nextBase);
    s.seal();
    return w.lastTerm() >= 0 ? w.lastTerm() : previousTerm;
  }

  /**
   * Loads the part of the checkpoint's segment below the checkpoint. Returns false when the segment
   * does not agree with the checkpoint (shorter than its position, or other offsets there): then
   * the whole segment is checked in full instead.
   */
  private boolean loadTrustedPrefix(Segment s, RecoveryCheckpoint cp) throws IOException {
    if (cp.position() > s.sizeBytes()) {
      LOG.error(
          "{} is {} bytes, shorter than the recovery checkpoint's position {}: bytes that were"
              + " on disk are gone; checking the whole segment",
          s.logFile(),
          s.sizeBytes(),
          cp.position());
      return false;
    }
    long span = cp.offset() - s.baseOffset();
    int interval = config.indexIntervalBytes();
    ByteBuffer offsets = readWhole(s.offsetIndex().path(), OffsetIndex.ENTRY_SIZE);
    ByteBuffer times = readWhole(s.timeIndex().path(), TimeIndex.ENTRY_SIZE);
    int on =
        OffsetIndex.saneEntries(
            offsets, offsets.capacity() / OffsetIndex.ENTRY_SIZE, cp.position(), span);
    int tn = TimeIndex.saneEntries(times, times.capacity() / TimeIndex.ENTRY_SIZE, span);
    s.offsetIndex().loadEntries(offsets, on);
    s.timeIndex().loadEntries(times, tn);
    long fromPos = on == 0 ? 0 : s.offsetIndex().positionAt(on - 1);
    long fromOffset = s.baseOffset() + (on == 0 ? 0 : s.offsetIndex().relativeOffsetAt(on - 1));
    SegmentWalk w =
        SegmentWalk.run(s, headers, fromPos, fromOffset, cp.position(), interval, false);
    if (w.damage() == null && w.endOffset() != cp.offset()) {
      LOG.warn(
          "{} disagrees with the recovery checkpoint (offset {} at position {}, found {});"
              + " checking the whole segment",
          s.logFile(),
          cp.offset(),
          cp.position(),
          w.endOffset());
      return false;
    }
    if (w.missingIndexEntry() || (w.damage() == null && !timeIndexAgrees(s, w, false))) {
      LOG.info("Rebuilding the indexes of {} up to the recovery checkpoint", s.logFile());
      s.resetIndexes();
      w = SegmentWalk.run(s, headers, 0, s.baseOffset(), cp.position(), interval, true);
      if (w.damage() == null && w.endOffset() != cp.offset()) {
        return false;
      }
      reportDamage(s, w, cp.offset());
      s.publish(cp.position(), cp.offset());
      return true;
    }
    reportDamage(s, w, cp.offset());
    s.restoreWriterState(cp.position(), cp.offset(), w.lastBatchBaseOffset(), w.maxTimestampMs());
    return true;
  }

  /**
   * Whether the time index fits the offset index and the headers walked after its last entry: every
   * entry but a sealed segment's last one sits beside an offset-index entry, and a sealed segment's
   * last entry holds its largest timestamp. Exact for what the walk saw.
   */
  private static boolean timeIndexAgrees(Segment s, SegmentWalk w, boolean sealed) {
    OffsetIndex offsets = s.offsetIndex();
    TimeIndex times = s.timeIndex();
    int on = offsets.entryCount();
    int tn = times.entryCount();
    int lastIndexed = on == 0 ? -1 : offsets.relativeOffsetAt(on - 1);
    int regular = 0;
    while (regular < tn && times.relativeOffsetAt(regular) <= lastIndexed) {
      if (!offsets.containsRelativeOffset(times.relativeOffsetAt(regular))) {
        return false;
      }
      regular++;
    }
    if (on > 0) {
      // the first offset entry always gets a time entry; the last one's is at least its batch's
      if (regular == 0 || times.relativeOffsetAt(0) != offsets.relativeOffsetAt(0)) {
        return false;
      }
      if (w.lastBatchBaseOffset() >= 0 && times.timestampAt(regular - 1) < w.firstTimestampMs()) {
        return false;
      }
    }
    int extra = tn - regular;
    if (!sealed) {
      return extra == 0;
    }
    long indexedMax = regular == 0 ? Long.MIN_VALUE : times.timestampAt(regular - 1);
    if (w.maxTimestampMs() > indexedMax) {
      return extra == 1
          && w.lastBatchBaseOffset() >= 0
          && times.timestampAt(tn - 1) == w.maxTimestampMs()
          && times.relativeOffsetAt(tn - 1) == s.relative(w.lastBatchBaseOffset());
    }
    return extra == 0;
  }

  private void reportDamage(Segment s, SegmentWalk w, long expectedEnd) {
    String damage = w.damage();
    if (damage == null && w.endOffset() != expectedEnd) {
      damage = "its batches end at offset " + w.endOffset() + " instead of " + expectedEnd;
    }
    if (damage != null) {
      LOG.error(
          "{} is damaged below the recovery checkpoint: {}. Offsets [{}, {}) will not be served"
              + " until the segment is repaired from a peer",
          s.logFile(),
          damage,
          w.endOffset(),
          expectedEnd);
    }
  }

  /** Checks every batch of {@code s} from {@code from}, indexing the good ones. */
  private void scanSegment(Segment s, long from, Scan scan) throws IOException {
    batches.on(s.channel());
    long limit = s.channel().size(); // not sizeBytes(): a trusted prefix load published less
    long pos = from;
    int interval = config.indexIntervalBytes();
    while (true) {
      RecordBatch b;
      try {
        b = batches.batch(pos, limit);
      } catch (CorruptBatchException e) {
        scan.failure = BatchReader.detail(e);
        break;
      }
      if (b == null) {
        break;
      }
      if (b.baseOffset() != scan.expectedOffset) {
        scan.failure =
            "batch at position "
                + pos
                + " has base offset "
                + b.baseOffset()
                + ", expected "
                + scan.expectedOffset;
        break;
      }
      if (b.term() < scan.term) {
        scan.failure =
            "batch at position " + pos + " has term " + b.term() + " after term " + scan.term;
        break;
      }
      long next = b.nextOffset();
      if (next - s.baseOffset() > Integer.MAX_VALUE) {
        scan.failure = "batch at position " + pos + " does not fit the segment's offset range";
        break;
      }
      s.indexBatch(b.baseOffset(), (int) pos, b.length(), b.appendTimestamp(), interval);
      scannedBytes += b.length();
      scan.expectedOffset = next;
      scan.term = b.term();
      pos += b.length();
    }
    scan.position = pos;
    s.publish((int) pos, scan.expectedOffset);
  }

  /** Cuts the log where the scan failed: truncates that segment, deletes every later one. */
  private void cutAt(List<Segment> segments, int failedAt, Scan scan) throws IOException {
    Segment s = segments.get(failedAt);
    long dropped = s.channel().size() - scan.position;
    int later = segments.size() - failedAt - 1;
    for (int i = failedAt + 1; i < segments.size(); i++) {
      dropped += segments.get(i).channel().size();
    }
    if (later == 0 && ZeroFill.isZeroFilled(s.channel(), scan.position, s.channel().size())) {
      LOG.info(
          "Log {}: cutting the {} zero bytes after the last batch of {} (space prepared for"
              + " appends)",
          dir,
          dropped,
          s.logFile().getFileName());
    } else {
      LOG.warn(
          "Log {}: dropping everything from offset {} on, {} bytes ({} from position {}{}),"
              + " because {}",
          dir,
          scan.expectedOffset,
          dropped,
          s.logFile().getFileName(),
          scan.position,
          later == 0 ? "" : " and " + later + " later segment(s)",
          scan.failure);
    }
    while (segments.size() > failedAt + 1) {
      Segment gone = segments.remove(segments.size() - 1);
      gone.close();
      gone.deleteFiles();
    }
    if (scan.position == 0 && s.baseOffset() != scan.expectedOffset) {
      segments.remove(failedAt);
      s.close();
      s.deleteFiles();
    } else {
      s.channel().truncate(scan.position);
      s.publish((int) scan.position, scan.expectedOffset);
    }
  }

  /**
   * Makes a sealed segment the one appends go to again: unseals its indexes and restores the writer
   * state from the batches after its last index entry.
   */
  static void reopenForAppends(Segment s, BatchReader reader) throws IOException {
    int size = s.sizeBytes();
    long next = s.nextOffset();
    s.truncate(size, next);
    resumeAfterTruncate(s, reader, size, next);
  }

  /** Restores the writer state of a segment just cut at ({@code size}, {@code next}). */
  static void resumeAfterTruncate(Segment s, BatchReader reader, int size, long next)
      throws IOException {
    OffsetIndex index = s.offsetIndex();
    int n = index.entryCount();
    long fromPos = n == 0 ? 0 : index.positionAt(n - 1);
    long fromOffset = s.baseOffset() + (n == 0 ? 0 : index.relativeOffsetAt(n - 1));
    SegmentWalk w = SegmentWalk.run(s, reader, fromPos, fromOffset, size, 0, false);
    if (w.damage() != null) {
      LOG.error("{}: {}", s.logFile(), w.damage());
    }
    s.restoreWriterState(size, next, w.lastBatchBaseOffset(), w.maxTimestampMs());
  }

  private long firstTimestamp(Segment s) throws IOException {
    if (s.isEmpty()) {
      return Long.MIN_VALUE;
    }
    try {
      RecordBatch h = headers.on(s.channel()).header(0, s.sizeBytes());
      return h == null ? Long.MIN_VALUE : h.appendTimestamp();
    } catch (CorruptBatchException e) {
      return Long.MIN_VALUE;
    }
  }

  /** The whole file mapped, or null when it is missing or not a whole number of entries. */
  private static ByteBuffer mapWhole(Path path, int entrySize) throws IOException {
    if (!Files.exists(path)) {
      return null;
    }
    long size = Files.size(path);
    if (size % entrySize != 0 || size > Integer.MAX_VALUE) {
      return null;
    }
    return IndexFile.map(path, size);
  }

  /** The file's whole entries in a heap buffer; empty when the file is missing. */
  private static ByteBuffer readWhole(Path path, int entrySize) throws IOException {
    if (!Files.exists(path)) {
      return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    }
    byte[] bytes = Files.readAllBytes(path);
    int whole = bytes.length - bytes.length % entrySize;
    return ByteBuffer.wrap(bytes, 0, whole).slice().order(ByteOrder.LITTLE_ENDIAN);
  }
}
