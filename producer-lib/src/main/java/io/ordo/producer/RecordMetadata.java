package io.ordo.producer;

/**
 * Where an acknowledged record was stored: its position in the log and its version within its
 * stream. Immutable.
 *
 * @param stream the stream the record was sent to
 * @param offset the record's offset in the log
 * @param streamVersion the record's version within its stream (0 for the stream's first record)
 */
public record RecordMetadata(String stream, long offset, long streamVersion) {}
