package io.ordo.consumer;

import io.ordo.protocol.batch.Header;
import java.util.List;

/**
 * One delivered record. Immutable (the arrays are the consumer's own copies).
 *
 * @param offset position in the log (the total order)
 * @param streamVersion position within its stream
 * @param timestampMs the producer's create time
 */
public record ConsumerRecord(
    long offset,
    String stream,
    long streamVersion,
    byte[] key,
    byte[] value,
    List<Header> headers,
    long timestampMs) {}
