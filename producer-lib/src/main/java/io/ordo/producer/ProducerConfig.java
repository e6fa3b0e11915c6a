package io.ordo.producer;

import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.Transport;
import io.ordo.protocol.wire.WireReader;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * The producer's settings, validated once when built (see {@link Producer#builder()} for what each
 * means and its default). Immutable and thread-safe.
 *
 * @param bootstrapServers brokers to connect to, tried in order (unresolved addresses)
 * @param clientId sent in the handshake, for the broker's logs
 * @param producerName "" for an anonymous producer; otherwise a stable name whose newest instance
 *     fences the older ones
 * @param idempotence whether retries are deduplicated by producer sequence numbers
 * @param batchSizeBytes largest batch the producer builds
 * @param lingerMs how long an open batch waits for more records before it is sent
 * @param compression codec of the batches' records
 * @param zstdLevel zstd compression level, used with {@link Compression#ZSTD}
 * @param bufferMemoryBytes bytes of records the producer holds until they are acknowledged
 * @param bufferFullPolicy what send does when that memory is used up
 * @param maxBlockMs longest a {@link BufferFullPolicy#BLOCK}ing send waits for memory
 * @param deliveryTimeoutMs longest a record may wait for its acknowledgement before its future
 *     fails
 * @param requestTimeoutMs longest a request may wait for its response before the connection is
 *     dropped and the request retried
 * @param maxInFlightBatches most batches sent and not yet acknowledged
 * @param retryBackoffMs first delay before reconnecting after a failure
 * @param retryBackoffMaxMs largest such delay
 * @param connectTimeoutMs longest a TCP connect may take
 * @param crossStreamOrder whether the log keeps this producer's send order across streams too (at
 *     the cost of smaller batches when streams interleave)
 * @param callbacksOnIoThread complete futures and call callbacks on the I/O thread itself instead
 *     of the callback thread (one thread hand-off less per acknowledgement; a slow callback then
 *     delays the network)
 * @param transport the Netty transport of the I/O thread (AUTO: epoll on Linux, NIO elsewhere)
 */
public record ProducerConfig(
    List<InetSocketAddress> bootstrapServers,
    String clientId,
    String producerName,
    boolean idempotence,
    int batchSizeBytes,
    long lingerMs,
    Compression compression,
    int zstdLevel,
    long bufferMemoryBytes,
    BufferFullPolicy bufferFullPolicy,
    long maxBlockMs,
    long deliveryTimeoutMs,
    long requestTimeoutMs,
    int maxInFlightBatches,
    long retryBackoffMs,
    long retryBackoffMaxMs,
    long connectTimeoutMs,
    boolean crossStreamOrder,
    boolean callbacksOnIoThread,
    Transport transport) {

  /** zstd's fastest and strongest levels. */
  public static final int MIN_ZSTD_LEVEL = -7;

  public static final int MAX_ZSTD_LEVEL = 22;

  /** Smallest batch size accepted. */
  public static final int MIN_BATCH_SIZE_BYTES = 1024;

  /**
   * Most unacknowledged batches with idempotence: the broker remembers a producer's last 64
   * batches, and a retried batch must still be among them.
   */
  public static final int MAX_IDEMPOTENT_IN_FLIGHT_BATCHES = 64;

  /** Most unacknowledged batches without idempotence. */
  public static final int MAX_IN_FLIGHT_BATCHES = 1024;

  public ProducerConfig {
    bootstrapServers = List.copyOf(Objects.requireNonNull(bootstrapServers, "bootstrapServers"));
    if (bootstrapServers.isEmpty()) {
      throw new IllegalArgumentException("bootstrapServers: give at least one host:port");
    }
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(producerName, "producerName");
    Objects.requireNonNull(compression, "compression");
    Objects.requireNonNull(bufferFullPolicy, "bufferFullPolicy");
    Objects.requireNonNull(transport, "transport");
    requireUtf8AtMost("clientId", clientId, WireReader.MAX_STRING_BYTES);
    requireUtf8AtMost("producerName", producerName, WireReader.MAX_STRING_BYTES);
    int maxBatch =
        Math.min(
            RecordBatch.MAX_BATCH_LENGTH,
            Frame.DEFAULT_MAX_FRAME_BYTES - BrokerConnection.PRODUCE_OVERHEAD);
    requireRange("batchSizeBytes", batchSizeBytes, MIN_BATCH_SIZE_BYTES, maxBatch);
    requireRange("deliveryTimeoutMs", deliveryTimeoutMs, 1, Long.MAX_VALUE / 2_000_000);
    requireRange("lingerMs", lingerMs, 0, deliveryTimeoutMs - 1);
    requireRange("zstdLevel", zstdLevel, MIN_ZSTD_LEVEL, MAX_ZSTD_LEVEL);
    requireRange("bufferMemoryBytes", bufferMemoryBytes, batchSizeBytes, Long.MAX_VALUE / 2);
    requireRange("maxBlockMs", maxBlockMs, 0, Long.MAX_VALUE / 2_000_000);
    requireRange("requestTimeoutMs", requestTimeoutMs, 1, Long.MAX_VALUE / 2_000_000);
    requireRange(
        "maxInFlightBatches",
        maxInFlightBatches,
        1,
        idempotence ? MAX_IDEMPOTENT_IN_FLIGHT_BATCHES : MAX_IN_FLIGHT_BATCHES);
    requireRange("retryBackoffMs", retryBackoffMs, 0, 3_600_000);
    requireRange("retryBackoffMaxMs", retryBackoffMaxMs, retryBackoffMs, 3_600_000);
    requireRange("connectTimeoutMs", connectTimeoutMs, 1, Integer.MAX_VALUE);
  }

  private static void requireRange(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " is " + value + "; it must be between " + min + " and " + max);
    }
  }

  private static void requireUtf8AtMost(String name, String value, int maxBytes) {
    int n = RecordSize.utf8Length(value);
    if (n > maxBytes) {
      throw new IllegalArgumentException(
          name + " is " + n + " UTF-8 bytes long; at most " + maxBytes + " are allowed");
    }
  }
}
