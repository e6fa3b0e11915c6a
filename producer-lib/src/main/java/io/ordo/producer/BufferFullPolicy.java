package io.ordo.producer;

/** What {@link Producer#send} does when the producer's buffer memory is used up. */
public enum BufferFullPolicy {
  /**
   * Wait until acknowledged or failed records free enough memory, for at most {@code maxBlockMs};
   * then throw {@link BufferFullException}.
   */
  BLOCK,
  /** Throw {@link BufferFullException} at once. */
  FAIL
}
