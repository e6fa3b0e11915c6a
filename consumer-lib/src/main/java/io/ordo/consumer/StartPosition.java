package io.ordo.consumer;

import io.ordo.protocol.wire.ReadMessages;

/**
 * Where a subscription starts when it has no committed offset: the earliest record kept, the latest
 * (only new records), an offset, or the first record appended at or after a time.
 */
public record StartPosition(byte kind, long value) {
  public static StartPosition earliest() {
    return new StartPosition(ReadMessages.START_EARLIEST, 0);
  }

  public static StartPosition latest() {
    return new StartPosition(ReadMessages.START_LATEST, 0);
  }

  public static StartPosition offset(long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset " + offset + " is negative");
    }
    return new StartPosition(ReadMessages.START_OFFSET, offset);
  }

  public static StartPosition timestamp(long timestampMs) {
    return new StartPosition(ReadMessages.START_TIMESTAMP, timestampMs);
  }
}
