package io.ordo.producer;

import io.ordo.protocol.batch.Header;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(PendingRecord.class);

  final String stream;
  final long timestampMs;

  /** Encoded body size without the timestamp delta; see {@link RecordSize#bodyWithoutDelta}. */
  final int bodyWithoutDeltaBytes;

  /** What this record holds of the producer's buffer memory until it is resolved. */
  final int memoryBytes;

  /** Called instead of completing this future, when the record was sent with a callback. */
  final SendCallback callback;

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
      int memoryBytes,
      SendCallback callback) {
    this.stream = stream;
    this.key = key;
    this.value = value;
    this.headers = headers;
    this.timestampMs = timestampMs;
    this.bodyWithoutDeltaBytes = bodyWithoutDeltaBytes;
    this.memoryBytes = memoryBytes;
    this.callback = callback;
  }

  /** The record was stored at {@code offset}: tells the callback or completes the future. */
  void stored(String stream, long offset, long streamVersion) {
    if (callback == null) {
      complete(new RecordMetadata(stream, offset, streamVersion));
    } else {
      call(offset, streamVersion, null);
    }
  }

  /** The record failed for good: tells the callback or fails the future. */
  void failed(Throwable error) {
    if (callback == null) {
      completeExceptionally(error);
    } else {
      call(-1, -1, error);
    }
  }

  private void call(long offset, long streamVersion, Throwable error) {
    try {
      callback.onCompletion(offset, streamVersion, error);
    } catch (RuntimeException | Error e) {
      LOG.error("a send callback threw; the producer goes on", e);
    }
  }

  /** Lets the payload be collected once it has been copied into an encoded batch. */
  void dropPayload() {
    key = null;
    value = null;
    headers = null;
  }
}
