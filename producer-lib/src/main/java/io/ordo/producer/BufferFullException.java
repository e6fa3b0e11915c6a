package io.ordo.producer;

/**
 * Thrown by {@link Producer#send} when the record does not fit in the producer's buffer memory: at
 * once with {@link BufferFullPolicy#FAIL}, after {@code maxBlockMs} with {@link
 * BufferFullPolicy#BLOCK}. The record was not sent. Slow down, or raise {@code bufferMemoryBytes}.
 */
public final class BufferFullException extends RuntimeException {
  public BufferFullException(String message) {
    super(message);
  }
}
