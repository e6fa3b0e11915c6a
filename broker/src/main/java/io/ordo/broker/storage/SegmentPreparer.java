package io.ordo.broker.storage;

import io.ordo.broker.platform.BackgroundPriority;
import io.ordo.broker.platform.MonitorWait;
import io.ordo.broker.platform.ThreadEnd;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the file of the next segment on its own thread: {@value #FILE_NAME} in the log
 * directory, {@link LogConfig#segmentBytes()} of zeros written and fdatasynced in chunks (below). A
 * roll renames it to the new segment's name (see {@link Segment#createFrom}), so the appends that
 * follow overwrite blocks the file system has already allocated, inside a file already that long:
 * their fdatasync then flushes data alone, with no journal commit for the file's size or extents.
 * On the ext4 disk of the machine Ordo is measured on, an fdatasync after overwriting costs about
 * 0.65 of one after appending, at the median and at the 99th percentile.
 *
 * <p>The log asks for a file at the first append to a new active segment, and reports how full that
 * segment is after every write. The zeros are paced by it and capped: at most one and a half times
 * the active segment's bytes, at most {@value #MAX_BYTES_PER_SECOND} bytes a second. So preparation
 * follows the appends (an idle log zeroes little) and is done by two thirds of the segment while
 * appends run below about 40 MiB/s; above that it falls behind. A roll that finds the file at least
 * half done takes it as it is (the appends overwrite zeros for that part and then grow the file
 * like a new one), after the chunk being written, if any, has landed; one that finds it less than
 * half done starts an empty file, as without preparation, and the file under way serves the roll
 * after it. The log reports both at INFO. A crash leaves at most a zero-filled tail after the last
 * batch of the active segment, which recovery cuts like any torn tail.
 *
 * <p>Chunks: the appends' own fdatasyncs share the disk with these, and a small write and fdatasync
 * queued behind a large chunk waits for it. On the development VM a 32 KiB write and fdatasync
 * every 0.6 ms beside zeros at 64 MiB/s had a p99 of 0.4-0.5 ms alone, 2.9-3.1 ms beside 1 MiB
 * chunks and 0.9-1.0 ms beside 128 KiB ones ({@code FsyncBesideZeros} in {@code perf}). But a
 * chunk's fdatasync has a cost of its own whatever its size: in 128 KiB chunks the preparer takes
 * about twice the CPU and writes more slowly. So it writes {@value #SMALL_CHUNK_BYTES} chunks while
 * it is well ahead of the appends (its file holds at least 1.25 times the active segment's bytes,
 * where appends below about 40 MiB/s keep it) or, while the appends overwrite the zeros of a
 * prepared active segment, whenever it keeps up with them (at least the active segment's bytes:
 * appends at 500,000 records/s of 100 bytes, about 55 MB/s, never leave it a lead of a quarter).
 * Behind the appends it writes {@value #LARGE_CHUNK_BYTES} chunks at the cap only while it is in a
 * hurry: when finishing the file before the active segment is full would take more than {@link
 * #UNHURRIED_BYTES_PER_SECOND} at the append rate of the last half second. Otherwise (after a
 * burst, beside appends that slowed down) small chunks at 1.25 times the rate it needs: there 1 MiB
 * chunks at the cap sat beside every e2e step that followed a burst ({@link #pace}). Measured at
 * 500,000 records/s (docs/performance.md): beside a prepared active segment, small chunks whenever
 * it keeps up gave acknowledgements a p99 0.72 to 0.84 of large ones; beside appends that grow
 * their file (a new log's first segment), 1.19 times it, so there the lead of a quarter stays;
 * after bursts, pacing the unhurried catch-up gave the e2e step a p99 0.74, 0.82 and 1.07 of
 * catching up at the cap in 1 MiB chunks (lower in 11 of 18 rounds).
 *
 * <p>The preparer thread runs at the lowest CPU priority ({@link BackgroundPriority}).
 *
 * <p>Threading: the log's writer thread calls {@link #request}, {@link #take} and {@link #close};
 * the preparer thread owns the file until it is ready. Shared state is guarded by this object.
 */
final class SegmentPreparer implements AutoCloseable {
  static final String FILE_NAME = "next-segment.prepared";
  private static final Logger LOG = LoggerFactory.getLogger(SegmentPreparer.class);
  static final int SMALL_CHUNK_BYTES = 128 * 1024;
  static final int LARGE_CHUNK_BYTES = 1024 * 1024;
  private static final long MAX_BYTES_PER_SECOND = 64L * 1024 * 1024;

  /**
   * Behind the appends, the preparer is unhurried while it can finish the file before the active
   * segment is full at no more than this (half the cap): it then writes small chunks at 1.25 times
   * the rate it needs, and at least {@link #MIN_UNHURRIED_BYTES_PER_SECOND}.
   */
  static final long UNHURRIED_BYTES_PER_SECOND = MAX_BYTES_PER_SECOND / 2;

  /** The slowest unhurried pace: behind appends that stopped, the file is still finished. */
  static final long MIN_UNHURRIED_BYTES_PER_SECOND = 8L * 1024 * 1024;

  /** How often the append rate is measured. */
  private static final long RATE_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private static final long MIN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long CLOSE_WAIT_MS = 10_000;

  private final Path file;
  private final int fileBytes;
  private final ByteBuffer zeros;
  private final Thread thread;

  private volatile long activeBytes;
  private volatile long activeZerosEnd;
  private volatile long preparedBytes;
  private boolean wanted;
  private boolean closed;
  private FileChannel ready;

  /** The file this thread is writing, until it is ready, given up or handed over. */
  private FileChannel underWay;

  /** A roll took {@link #underWay} unfinished: this thread writes no more zeros into it. */
  private boolean handedOver;

  /** This thread is writing a chunk of zeros (not forcing it). */
  private boolean writing;

  SegmentPreparer(Path dir, int fileBytes) {
    this.file = dir.resolve(FILE_NAME);
    this.fileBytes = fileBytes;
    this.zeros = ByteBuffer.allocateDirect(Math.min(LARGE_CHUNK_BYTES, fileBytes));
    // zeros can wait; the appends cannot
    this.thread = BackgroundPriority.startThread("ordo-segment-preparer", this::run);
  }

  Path file() {
    return file;
  }

  /** The bytes in the active segment, which pace the preparation. Writer thread; cheap. */
  void activeBytes(long bytes) {
    activeBytes = bytes;
  }

  /**
   * Where the zeros of the active segment's file end (0: its appends grow it): appends below that
   * overwrite prepared zeros. Writer thread, at each new active segment.
   */
  void activeZerosEnd(long end) {
    activeZerosEnd = end;
  }

  /** Asks for a file to be prepared, unless one is ready or under way. */
  synchronized void request() {
    if (!wanted && !closed) {
      wanted = true;
      notifyAll();
    }
  }

  /**
   * The file for the next segment, open for reading and writing: the prepared one, wholly
   * zero-filled and durable; else the one under way if at least half of it is (a roll after a burst
   * of appends the preparation could not follow: the appends still overwrite zeros for that half,
   * and the file grows past them like a new one), after waiting for the chunk being written, if
   * any, to land; else null (a file under way less than half done stays for the next call). Either
   * way this thread writes no more into the file it returns.
   */
  synchronized FileChannel take() {
    FileChannel ch = ready;
    if (ch == null && underWay != null && !closed && preparedBytes >= fileBytes / 2) {
      handedOver = true;
      MonitorWait.awaitUninterruptibly(this, () -> !writing);
      ch = underWay;
      underWay = null;
    }
    if (ch != null) {
      ready = null;
      wanted = false;
      preparedBytes = 0;
    }
    return ch;
  }

  /** Bytes of zeros written and fdatasynced so far in the file under way (for the log's report). */
  long preparedBytes() {
    return preparedBytes;
  }

  /** Whether a file is ready to be taken (for tests). */
  synchronized boolean isReady() {
    return ready != null;
  }

  /** Closed, or a roll took the file under way: this thread writes no more into it. */
  private synchronized boolean stopped() {
    return closed || handedOver;
  }

  private void run() {
    while (true) {
      synchronized (this) {
        while (!closed && (!wanted || ready != null)) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
      }
      try {
        prepare();
      } catch (IOException e) {
        LOG.warn("Could not prepare {} ({}); the next roll starts an empty segment file", file, e);
        deleteFile();
        synchronized (this) {
          wanted = false;
        }
      }
    }
  }

  /** Whether this thread may write the next chunk; if so it is writing until {@link #endChunk}. */
  private synchronized boolean beginChunk() {
    if (stopped()) {
      return false;
    }
    writing = true;
    return true;
  }

  private synchronized void endChunk() {
    writing = false;
    notifyAll();
  }

  /**
   * Ends the work on the file under way: publishes it as ready when {@code done}; closes it unless
   * a roll took it (it is then the roll's) or it was published.
   */
  private void finish(FileChannel ch, boolean done) throws IOException {
    synchronized (this) {
      underWay = null;
      if (handedOver) {
        return;
      }
      if (done && !closed) {
        ready = ch;
        return;
      }
    }
    ch.close();
  }

  /**
   * Writes the zeros of one file and publishes it as ready, unless closed meanwhile or a roll takes
   * it unfinished ({@link #take}).
   */
  private void prepare() throws IOException {
    FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    synchronized (this) {
      underWay = ch;
      handedOver = false;
      preparedBytes = 0;
    }
    try {
      long pos = 0;
      long pauseNanos = MIN_PAUSE_NANOS;
      long lastSeen = -1;
      long nextChunkNs = System.nanoTime();
      long rateFromNs = nextChunkNs;
      long rateFromBytes = activeBytes;
      long appendRate = 0; // bytes a second into the active segment, over the last window
      while (pos < fileBytes) {
        long nowNs = System.nanoTime();
        long capNs = nextChunkNs - nowNs;
        if (capNs > 0) {
          LockSupport.parkNanos(capNs);
          continue;
        }
        long seen = activeBytes;
        if (nowNs - rateFromNs >= RATE_WINDOW_NANOS) {
          // a roll meanwhile restarts the count: no rate for that window
          appendRate = Math.max(0, seen - rateFromBytes) * 1_000_000_000L / (nowNs - rateFromNs);
          rateFromNs = nowNs;
          rateFromBytes = seen;
        }
        long allowed = Math.max(SMALL_CHUNK_BYTES, seen + seen / 2);
        if (pos >= allowed) {
          if (stopped()) {
            break;
          }
          // wait for the writer; longer and longer while it is idle
          pauseNanos =
              seen == lastSeen ? Math.min(2 * pauseNanos, MAX_PAUSE_NANOS) : MIN_PAUSE_NANOS;
          lastSeen = seen;
          LockSupport.parkNanos(pauseNanos);
          continue;
        }
        long chunkStartNs = System.nanoTime();
        Pace pace = pace(pos, seen, seen < activeZerosEnd, fileBytes, appendRate);
        int n = pace.chunkBytes();
        zeros.clear().limit(n);
        if (!beginChunk()) {
          break; // closed, or a roll took the file
        }
        try {
          while (zeros.hasRemaining()) {
            pos += ch.write(zeros, pos);
          }
        } finally {
          endChunk();
        }
        ch.force(false); // harmless if a roll took the file meanwhile: it is the segment's fsync
        synchronized (this) {
          if (!handedOver) {
            preparedBytes = pos;
          }
        }
        nextChunkNs = chunkStartNs + n * 1_000_000_000L / pace.bytesPerSecond();
      }
      finish(ch, pos >= fileBytes);
    } catch (IOException | RuntimeException e) {
      finish(ch, false);
      if (isHandedOver()) {
        return; // the roll's file now, whose own writes and fsyncs report its failures
      }
      throw e;
    }
  }

  /** The next chunk's size, and the rate at which to write the zeros for now. */
  record Pace(int chunkBytes, long bytesPerSecond) {}

  /**
   * How to write the next chunk at {@code pos} of a file of {@code fileBytes} when the active
   * segment holds {@code seen} bytes, growing by {@code appendRate} bytes a second, its appends
   * {@code overwriting} prepared zeros or not:
   *
   * <ul>
   *   <li>ahead (the file holds at least 1.25 times the active segment's bytes, or at least as many
   *       while the appends overwrite): small chunks at the cap;
   *   <li>behind but unhurried (the rest of the file can be written before the active segment is
   *       full at no more than {@link #UNHURRIED_BYTES_PER_SECOND}; after a burst, beside appends
   *       that slowed down or stopped): small chunks at 1.25 times the rate needed, at least {@link
   *       #MIN_UNHURRIED_BYTES_PER_SECOND};
   *   <li>behind and in a hurry: large chunks at the cap.
   * </ul>
   *
   * Never past the end of the file (the zeros buffer holds a large chunk or the file).
   */
  static Pace pace(long pos, long seen, boolean overwriting, long fileBytes, long appendRate) {
    boolean ahead = pos >= seen + seen / 4 || (overwriting && pos >= seen);
    long needed = neededRate(pos, seen, fileBytes, appendRate);
    int small = (int) Math.min(SMALL_CHUNK_BYTES, fileBytes - pos);
    if (ahead) {
      return new Pace(small, MAX_BYTES_PER_SECOND);
    }
    if (needed <= UNHURRIED_BYTES_PER_SECOND) {
      return new Pace(small, Math.max(MIN_UNHURRIED_BYTES_PER_SECOND, needed + needed / 4));
    }
    return new Pace((int) Math.min(LARGE_CHUNK_BYTES, fileBytes - pos), MAX_BYTES_PER_SECOND);
  }

  /**
   * Bytes a second that finish the file (at {@code pos} of {@code fileBytes}) by the time appends
   * at {@code appendRate} fill the active segment from {@code seen} to the same size.
   */
  private static long neededRate(long pos, long seen, long fileBytes, long appendRate) {
    if (appendRate == 0) {
      return 0;
    }
    long untilRoll = fileBytes - seen;
    if (untilRoll <= 0) {
      return Long.MAX_VALUE;
    }
    return (long) ((double) appendRate * (fileBytes - pos) / untilRoll);
  }

  private synchronized boolean isHandedOver() {
    return handedOver;
  }

  private void discard(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        LOG.debug("Closing {}", file, e);
      }
    }
  }

  private void deleteFile() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("Could not delete {}", file, e);
    }
  }

  /** Stops the thread and deletes the file, ready or not. */
  @Override
  public void close() {
    FileChannel leftover;
    synchronized (this) {
      closed = true;
      leftover = ready;
      ready = null;
      notifyAll();
    }
    if (!ThreadEnd.awaitEnd(thread, CLOSE_WAIT_MS)) {
      LOG.warn("{} still writing {} after {} ms", thread.getName(), file, CLOSE_WAIT_MS);
    }
    discard(leftover);
    deleteFile();
  }
}
