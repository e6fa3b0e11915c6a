package io.ordo.consumer;

import io.ordo.protocol.OrdoException;

/**
 * Life-cycle events of a consumer, called on its thread (except {@link #onHandlerTimeout}). Every
 * method has a no-op default.
 */
public interface ConsumerListener {
  /**
   * The consumer (re)started delivery at {@code resumeOffset}: in a group, after it became the
   * active member ({@code generation} >= 1), right after the group's committed offset; without a
   * group ({@code generation} -1), after a (re)connect. Records at or above it may be delivered
   * again if they were delivered before and not committed.
   */
  default void onActive(int generation, long resumeOffset) {}

  /** The broker acknowledged (durably) a commit of {@code offset} (the next offset to consume). */
  default void onCommitted(long offset) {}

  /**
   * In a group: the handler has run longer than {@code maxHandlerMs} on the record at {@code
   * offset}, so this member gave up {@code generation}; the broker makes a standby active, which
   * resumes from the group's committed offset (this record included, unless it was committed). When
   * the handler returns, its commits are refused and the member rejoins as a standby. Called on the
   * consumer's timer thread while the handler still runs; must not block.
   */
  default void onHandlerTimeout(int generation, long offset, long elapsedMs) {}

  /** The consumer stopped for good because of {@code error}. */
  default void onError(OrdoException error) {}
}
