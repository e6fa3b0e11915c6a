package io.ordo.producer;

import io.ordo.protocol.batch.Header;
import java.util.concurrent.CompletableFuture;

/**
 * One record on its way to the broker, and at the same time the future its sender holds: extending
 * the future saves an object per record on the send path. The class is package-private, so a caller
 * only ever sees a {@code CompletableFuture<RecordMetadata>}.
 *
 * <p>Threading: built on an application thread and published to the I/O thread by the record queue;
 * the I/O thread drops the payload references once the record is encoded; the callback thread
 * completes the future.
 */
final class PendingRecord extends CompletableFuture<RecordMetadata> {
  final String stream;
  final long timestampMs;

  /** Encoded body size without the timestamp delta; see {@link RecordSize#bodyWithoutDelta}. */
  final int bodyWithoutDeltaBytes;

  /** What this record holds of the producer's buffer memory until it is resolved. */
  final int memoryBytes;

  byte[] key;
  byte[] value;
  Header[] headers;

  PendingRecord(
      String stream,
      byte[] key,
      byte[] value,
      Header[] headers,
      long timestampMs,
      int bodyWithoutDeltaBytes,
      int memoryBytes) {
    this.stream = stream;
    this.key = key;
    this.value = value;
    this.headers = headers;
    this.timestampMs = timestampMs;
    this.bodyWithoutDeltaBytes = bodyWithoutDeltaBytes;
    this.memoryBytes = memoryBytes;
  }

  /** Lets the payload be collected once it has been copied into an encoded batch. */
  void dropPayload() {
    key = null;
    value = null;
    headers = null;
  }
}
