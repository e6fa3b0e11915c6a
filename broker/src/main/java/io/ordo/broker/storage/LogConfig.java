package io.ordo.broker.storage;

import io.ordo.protocol.batch.RecordBatch;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of one segmented log, validated once when built. Immutable and thread-safe.
 *
 * <pre>
 * LogConfig config = LogConfig.builder(dir).segmentBytes(64 &lt;&lt; 20).fsyncPolicy(FsyncPolicy.EVERY_GROUP).build();
 * </pre>
 */
public final class LogConfig {
  /**
   * 1 GiB, as Kafka: a roll costs a few metadata fsyncs on the sequencer thread (index files, the
   * recovery checkpoint, the directory), so at 50 MB/s a 256 MiB segment put that pause into the
   * ack path every 5 s.
   */
  public static final int DEFAULT_SEGMENT_BYTES = 1024 * 1024 * 1024;

  public static final long DEFAULT_SEGMENT_MS = 7L * 24 * 60 * 60 * 1000;
  public static final long UNLIMITED = -1L;
  public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;
  public static final int DEFAULT_MAX_BATCH_BYTES = 8 * 1024 * 1024;
  public static final FsyncPolicy DEFAULT_FSYNC_POLICY = FsyncPolicy.EVERY_GROUP;
  public static final long DEFAULT_FSYNC_INTERVAL_MS = 1000;
  public static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 10_000;
  public static final long DEFAULT_FILE_DELETE_DELAY_MS = 60_000;

  /** Smallest segment size accepted: a few minimal batches. */
  public static final int MIN_SEGMENT_BYTES = 512;

  private final Path dir;
  private final int segmentBytes;
  private final long segmentMs;
  private final long retentionBytes;
  private final long retentionMs;
  private final int indexIntervalBytes;
  private final int maxBatchBytes;
  private final FsyncPolicy fsyncPolicy;
  private final long fsyncIntervalMs;
  private final long checkpointIntervalMs;
  private final long fileDeleteDelayMs;
  private final boolean preallocate;

  private LogConfig(Builder b) {
    this.dir = Objects.requireNonNull(b.dir, "dir must be set");
    this.segmentBytes =
        (int) range("segmentBytes", b.segmentBytes, MIN_SEGMENT_BYTES, Integer.MAX_VALUE);
    this.segmentMs = range("segmentMs", b.segmentMs, 1, Long.MAX_VALUE);
    this.retentionBytes = limitOrUnlimited("retentionBytes", b.retentionBytes);
    this.retentionMs = limitOrUnlimited("retentionMs", b.retentionMs);
    this.indexIntervalBytes =
        (int) range("indexIntervalBytes", b.indexIntervalBytes, 1, Integer.MAX_VALUE);
    this.maxBatchBytes =
        (int)
            range(
                "maxBatchBytes",
                b.maxBatchBytes,
                RecordBatch.FIXED_HEADER_LENGTH + 1,
                RecordBatch.MAX_BATCH_LENGTH);
    this.fsyncPolicy = Objects.requireNonNull(b.fsyncPolicy, "fsyncPolicy must be set");
    this.fsyncIntervalMs = range("fsyncIntervalMs", b.fsyncIntervalMs, 1, Long.MAX_VALUE);
    this.checkpointIntervalMs =
        range("checkpointIntervalMs", b.checkpointIntervalMs, 0, Long.MAX_VALUE);
    this.fileDeleteDelayMs = range("fileDeleteDelayMs", b.fileDeleteDelayMs, 0, Long.MAX_VALUE);
    this.preallocate = b.preallocate;
  }

  private static long range(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " = " + value + " is outside the allowed range " + min + ".." + max);
    }
    return value;
  }

  private static long limitOrUnlimited(String name, long value) {
    if (value < 0 && value != UNLIMITED) {
      throw new IllegalArgumentException(
          name + " = " + value + " must be -1 (unlimited) or a limit of at least 0");
    }
    return value;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static Builder builder(Path dir) {
    return new Builder().dir(dir);
  }

  public Builder toBuilder() {
    return new Builder()
        .dir(dir)
        .segmentBytes(segmentBytes)
        .segmentMs(segmentMs)
        .retentionBytes(retentionBytes)
        .retentionMs(retentionMs)
        .indexIntervalBytes(indexIntervalBytes)
        .maxBatchBytes(maxBatchBytes)
        .fsyncPolicy(fsyncPolicy)
        .fsyncIntervalMs(fsyncIntervalMs)
        .checkpointIntervalMs(checkpointIntervalMs)
        .fileDeleteDelayMs(fileDeleteDelayMs)
        .preallocate(preallocate);
  }

  /** Directory holding the segment files, the indexes and the recovery checkpoint. */
  public Path dir() {
    return dir;
  }

  /** A segment is rolled before a batch would make it larger than this. */
  public int segmentBytes() {
    return segmentBytes;
  }

  /** A segment is rolled when its first append is at least this old. */
  public long segmentMs() {
    return segmentMs;
  }

  /** Old segments are deleted while the log stays at least this large; -1 for no limit. */
  public long retentionBytes() {
    return retentionBytes;
  }

  /** A segment whose newest batch is older than this is deleted; -1 for no limit. */
  public long retentionMs() {
    return retentionMs;
  }

  /** Bytes of batches between two entries of the sparse offset index. */
  public int indexIntervalBytes() {
    return indexIntervalBytes;
  }

  /** Largest batch {@link Log#append} accepts. */
  public int maxBatchBytes() {
    return maxBatchBytes;
  }

  public FsyncPolicy fsyncPolicy() {
    return fsyncPolicy;
  }

  /** For {@link FsyncPolicy#INTERVAL}: the longest time between two fsyncs. */
  public long fsyncIntervalMs() {
    return fsyncIntervalMs;
  }

  /**
   * Shortest time between two recovery checkpoints written from {@link Log#onGroupEnd}; recovery
   * rescans at most what was appended since. Rolls and close always write one.
   */
  public long checkpointIntervalMs() {
    return checkpointIntervalMs;
  }

  /**
   * How long the file of a segment deleted by retention or truncation stays open for readers that
   * still hold a {@link LogSlice} of it.
   */
  public long fileDeleteDelayMs() {
    return fileDeleteDelayMs;
  }

  /**
   * Whether the next segment's file is prepared ahead of a roll: written full of zeros and fsynced
   * on a background thread (see {@link SegmentPreparer}), so appends to it do not change the file's
   * size or allocation.
   */
  public boolean preallocate() {
    return preallocate;
  }

  @Override
  public String toString() {
    return "LogConfig{dir="
        + dir
        + ", segmentBytes="
        + segmentBytes
        + ", segmentMs="
        + segmentMs
        + ", retentionBytes="
        + retentionBytes
        + ", retentionMs="
        + retentionMs
        + ", indexIntervalBytes="
        + indexIntervalBytes
        + ", maxBatchBytes="
        + maxBatchBytes
        + ", fsyncPolicy="
        + fsyncPolicy
        + ", fsyncIntervalMs="
        + fsyncIntervalMs
        + ", checkpointIntervalMs="
        + checkpointIntervalMs
        + ", fileDeleteDelayMs="
        + fileDeleteDelayMs
        + ", preallocate="
        + preallocate
        + "}";
  }

  /** Collects settings; {@link #build} validates them. Not thread-safe. */
  public static final class Builder {
    private Path dir;
    private long segmentBytes = DEFAULT_SEGMENT_BYTES;
    private long segmentMs = DEFAULT_SEGMENT_MS;
    private long retentionBytes = UNLIMITED;
    private long retentionMs = UNLIMITED;
    private long indexIntervalBytes = DEFAULT_INDEX_INTERVAL_BYTES;
    private long maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
    private FsyncPolicy fsyncPolicy = DEFAULT_FSYNC_POLICY;
    private long fsyncIntervalMs = DEFAULT_FSYNC_INTERVAL_MS;
    private long checkpointIntervalMs = DEFAULT_CHECKPOINT_INTERVAL_MS;
    private long fileDeleteDelayMs = DEFAULT_FILE_DELETE_DELAY_MS;
    private boolean preallocate = true;

    private Builder() {}

    public Builder dir(Path dir) {
      this.dir = dir;
      return this;
    }

    public Builder segmentBytes(long segmentBytes) {
      this.segmentBytes = segmentBytes;
      return this;
    }

    public Builder segmentMs(long segmentMs) {
      this.segmentMs = segmentMs;
      return this;
    }

    public Builder retentionBytes(long retentionBytes) {
      this.retentionBytes = retentionBytes;
      return this;
    }

    public Builder retentionMs(long retentionMs) {
      this.retentionMs = retentionMs;
      return this;
    }

    public Builder indexIntervalBytes(long indexIntervalBytes) {
      this.indexIntervalBytes = indexIntervalBytes;
      return this;
    }

    public Builder maxBatchBytes(long maxBatchBytes) {
      this.maxBatchBytes = maxBatchBytes;
      return this;
    }

    public Builder fsyncPolicy(FsyncPolicy fsyncPolicy) {
      this.fsyncPolicy = fsyncPolicy;
      return this;
    }

    public Builder fsyncIntervalMs(long fsyncIntervalMs) {
      this.fsyncIntervalMs = fsyncIntervalMs;
      return this;
    }

    public Builder checkpointIntervalMs(long checkpointIntervalMs) {
      this.checkpointIntervalMs = checkpointIntervalMs;
      return this;
    }

    public Builder fileDeleteDelayMs(long fileDeleteDelayMs) {
      this.fileDeleteDelayMs = fileDeleteDelayMs;
      return this;
    }

    public Builder preallocate(boolean preallocate) {
      this.preallocate = preallocate;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the first setting out of range
     */
    public LogConfig build() {
      return new LogConfig(this);
    }
  }
}
