package io.ordo.broker.server;

import io.ordo.broker.storage.FsyncPolicy;
import io.ordo.broker.storage.LogConfig;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.Transport;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a node is configured with, validated once at the edge. Immutable; build with {@link
 * #builder()}.
 */
public final class NodeConfig {
  static final long MIN_RETENTION_CHECK_INTERVAL_MS = 10;
  static final long MAX_RETENTION_CHECK_INTERVAL_MS = 24L * 3600 * 1000;

  private final int nodeId;
  private final String host;
  private final int port;
  private final Path dataDir;
  private final int maxFrameBytes;
  private final int maxBatchBytes;
  private final int maxBatchesPerRequest;
  private final long maxInFlightBytesPerConnection;
  private final int ringSize;
  private final int ioThreads;
  private final Transport transport;
  private final FsyncPolicy fsyncPolicy;
  private final long fsyncIntervalMs;
  private final long segmentBytes;
  private final long segmentMs;
  private final boolean segmentPreallocate;
  private final long retentionBytes;
  private final long retentionMs;
  private final long retentionCheckIntervalMs;
  private final long statsIntervalMs;

  private NodeConfig(Builder b) {
    this.nodeId = b.nodeId;
    this.host = Objects.requireNonNull(b.host, "host");
    this.port = b.port;
    this.dataDir = Objects.requireNonNull(b.dataDir, "data dir");
    this.maxFrameBytes = b.maxFrameBytes;
    this.maxBatchBytes = b.maxBatchBytes;
    this.maxBatchesPerRequest = b.maxBatchesPerRequest;
    this.maxInFlightBytesPerConnection = b.maxInFlightBytesPerConnection;
    this.ringSize = b.ringSize;
    this.ioThreads = b.ioThreads;
    this.transport = Objects.requireNonNull(b.transport, "transport");
    this.fsyncPolicy = Objects.requireNonNull(b.fsyncPolicy, "fsync policy");
    this.fsyncIntervalMs = b.fsyncIntervalMs;
    this.segmentBytes = b.segmentBytes;
    this.segmentMs = b.segmentMs;
    this.segmentPreallocate = b.segmentPreallocate;
    this.retentionBytes = b.retentionBytes;
    this.retentionMs = b.retentionMs;
    this.retentionCheckIntervalMs = b.retentionCheckIntervalMs;
    this.statsIntervalMs = b.statsIntervalMs;
    require(nodeId >= 0, "node.id must be >= 0");
    require(port >= 0 && port <= 65535, "port must be 0..65535");
    require(
        maxFrameBytes >= 1024 && maxFrameBytes <= Frame.DEFAULT_MAX_FRAME_BYTES,
        "max.frame.bytes must be 1024.." + Frame.DEFAULT_MAX_FRAME_BYTES);
    require(
        maxBatchBytes >= 1024
            && maxBatchBytes <= Math.min(maxFrameBytes, RecordBatch.MAX_BATCH_LENGTH),
        "max.batch.bytes must be 1024..max.frame.bytes");
    require(
        maxBatchesPerRequest >= 1 && maxBatchesPerRequest <= 4096,
        "max.batches.per.request must be 1..4096");
    require(
        maxInFlightBytesPerConnection >= maxFrameBytes,
        "max.inflight.bytes.per.connection must be at least max.frame.bytes");
    require(
        ringSize >= 64 && Integer.bitCount(ringSize) == 1,
        "ring.size must be a power of two >= 64");
    require(ioThreads >= 1 && ioThreads <= 64, "io.threads must be 1..64");
    require(fsyncIntervalMs >= 1, "fsync.interval.ms must be >= 1");
    require(
        segmentBytes >= 4096 && segmentBytes <= Integer.MAX_VALUE,
        "segment.bytes must be 4096..2147483647");
    require(segmentMs >= 1, "segment.ms must be >= 1");
    require(
        retentionCheckIntervalMs >= MIN_RETENTION_CHECK_INTERVAL_MS
            && retentionCheckIntervalMs <= MAX_RETENTION_CHECK_INTERVAL_MS,
        "retention.check.interval.ms must be "
            + MIN_RETENTION_CHECK_INTERVAL_MS
            + ".."
            + MAX_RETENTION_CHECK_INTERVAL_MS);
    require(
        statsIntervalMs == 0 || (statsIntervalMs >= 1000 && statsIntervalMs <= 86_400_000L),
        "stats.interval.ms must be 0 (off) or 1000..86400000");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The storage settings of this node's log (in {@code <data dir>/log}). */
  public LogConfig logConfig() {
    return LogConfig.builder(dataDir.resolve("log"))
        .segmentBytes(segmentBytes)
        .segmentMs(segmentMs)
        .preallocate(segmentPreallocate)
        .retentionBytes(retentionBytes)
        .retentionMs(retentionMs)
        .maxBatchBytes(maxBatchBytes)
        .fsyncPolicy(fsyncPolicy)
        .fsyncIntervalMs(fsyncIntervalMs)
        .build();
  }

  public int nodeId() {
    return nodeId;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  public int maxBatchBytes() {
    return maxBatchBytes;
  }

  public int maxBatchesPerRequest() {
    return maxBatchesPerRequest;
  }

  public long maxInFlightBytesPerConnection() {
    return maxInFlightBytesPerConnection;
  }

  public int ringSize() {
    return ringSize;
  }

  public int ioThreads() {
    return ioThreads;
  }

  public Transport transport() {
    return transport;
  }

  public FsyncPolicy fsyncPolicy() {
    return fsyncPolicy;
  }

  public long fsyncIntervalMs() {
    return fsyncIntervalMs;
  }

  public long segmentBytes() {
    return segmentBytes;
  }

  public long segmentMs() {
    return segmentMs;
  }

  /** Whether the next segment's file is prepared (zero-filled) ahead of a roll. */
  public boolean segmentPreallocate() {
    return segmentPreallocate;
  }

  public long retentionBytes() {
    return retentionBytes;
  }

  public long retentionMs() {
    return retentionMs;
  }

  /** How often, at most, the sequencer applies retention (at the end of a group or when idle). */
  public long retentionCheckIntervalMs() {
    return retentionCheckIntervalMs;
  }

  /** How often the node logs its write-path latency by stage; 0 for never. */
  public long statsIntervalMs() {
    return statsIntervalMs;
  }

  /** Builder with the defaults documented in the README. */
  public static final class Builder {
    private int nodeId = 0;
    private String host = "127.0.0.1";
    private int port = 7070;
    private Path dataDir;
    private int maxFrameBytes = Frame.DEFAULT_MAX_FRAME_BYTES;
    private int maxBatchBytes = 8 * 1024 * 1024;
    private int maxBatchesPerRequest = 1024;
    private long maxInFlightBytesPerConnection = 64L * 1024 * 1024;
    private int ringSize = 4096;
    private int ioThreads = 1;
    private Transport transport = Transport.AUTO;
    private FsyncPolicy fsyncPolicy = FsyncPolicy.EVERY_GROUP;
    private long fsyncIntervalMs = 1000;
    private long segmentBytes = LogConfig.DEFAULT_SEGMENT_BYTES;
    private long segmentMs = 7L * 24 * 3600 * 1000;
    private boolean segmentPreallocate = true;
    private long retentionBytes = -1;
    private long retentionMs = -1;
    private long retentionCheckIntervalMs = 10_000;
    private long statsIntervalMs = 60_000;

    public Builder nodeId(int v) {
      nodeId = v;
      return this;
    }

    public Builder host(String v) {
      host = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    public Builder dataDir(Path v) {
      dataDir = v;
      return this;
    }

    public Builder maxFrameBytes(int v) {
      maxFrameBytes = v;
      return this;
    }

    public Builder maxBatchBytes(int v) {
      maxBatchBytes = v;
      return this;
    }

    public Builder maxBatchesPerRequest(int v) {
      maxBatchesPerRequest = v;
      return this;
    }

    public Builder maxInFlightBytesPerConnection(long v) {
      maxInFlightBytesPerConnection = v;
      return this;
    }

    public Builder ringSize(int v) {
      ringSize = v;
      return this;
    }

    public Builder ioThreads(int v) {
      ioThreads = v;
      return this;
    }

    /** The Netty transport of the node's event loops; AUTO takes epoll where it loads. */
    public Builder transport(Transport v) {
      transport = v;
      return this;
    }

    public Builder fsyncPolicy(FsyncPolicy v) {
      fsyncPolicy = v;
      return this;
    }

    public Builder fsyncIntervalMs(long v) {
      fsyncIntervalMs = v;
      return this;
    }

    public Builder segmentBytes(long v) {
      segmentBytes = v;
      return this;
    }

    public Builder segmentMs(long v) {
      segmentMs = v;
      return this;
    }

    public Builder segmentPreallocate(boolean v) {
      segmentPreallocate = v;
      return this;
    }

    public Builder retentionBytes(long v) {
      retentionBytes = v;
      return this;
    }

    public Builder retentionMs(long v) {
      retentionMs = v;
      return this;
    }

    public Builder retentionCheckIntervalMs(long v) {
      retentionCheckIntervalMs = v;
      return this;
    }

    public Builder statsIntervalMs(long v) {
      statsIntervalMs = v;
      return this;
    }

    public NodeConfig build() {
      return new NodeConfig(this);
    }
  }
}
