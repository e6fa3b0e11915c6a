package io.ordo.consumer;

/**
 * What a consumer does when the position it would resume from is not in the log, which the broker
 * answers with {@code OFFSET_OUT_OF_RANGE}: retention deleted it (a group's committed offset, a
 * start offset, or the place a slow consumer had reached), or a start offset lies past the end.
 * Kafka's {@code auto.offset.reset} for that case; a consumer with no committed offset starts where
 * its {@link StartPosition} says.
 */
public enum OffsetReset {
  /**
   * Stop with the error (the default): for an event-sourced read model a gap is a wrong state, so
   * the application decides (rebuild from a snapshot, alert).
   */
  NONE,
  /** Go on from the first record the log still holds, skipping the deleted ones (logged). */
  EARLIEST,
  /** Go on from the end of the log, skipping everything not yet read (logged). */
  LATEST;

  /** Where to subscribe again instead; null for {@link #NONE}. */
  StartPosition start() {
    return switch (this) {
      case NONE -> null;
      case EARLIEST -> StartPosition.earliest();
      case LATEST -> StartPosition.latest();
    };
  }
}
