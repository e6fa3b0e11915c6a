package io.ordo.consumer;

import io.ordo.protocol.OrdoException;

/** Life-cycle events of a consumer, called on its thread. Every method has a no-op default. */
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

  /** The consumer stopped for good because of {@code error}. */
  default void onError(OrdoException error) {}
}
