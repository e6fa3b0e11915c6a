package io.ordo.producer;

/**
 * What {@link Producer#send(String, byte[], byte[], io.ordo.protocol.batch.Header[], SendCallback)}
 * calls once a record is stored or has failed for good, on the producer's callback thread, in send
 * order within a stream. The allocation-light alternative to the future: no future and no {@link
 * RecordMetadata} per record, which matters at hundreds of thousands of records a second. A
 * callback that throws is logged and does not stop the others.
 */
@FunctionalInterface
public interface SendCallback {
  /**
   * @param offset the record's offset in the log, or -1 when it failed
   * @param streamVersion the record's version within its stream, or -1 when it failed
   * @param error null when the record was stored; otherwise why it was not (as the future's
   *     exception would be: see {@link Producer})
   */
  void onCompletion(long offset, long streamVersion, Throwable error);
}
