package io.ordo.protocol;

/**
 * Every error a client or a peer can be told about, with a stable numeric code for the wire and a
 * message that says what to do about it. Codes are never reused or renumbered.
 */
public enum ErrorCode {
  NONE(0, false, "No error."),
  UNKNOWN(1, false, "An unexpected server error occurred; check the broker log for details."),
  UNSUPPORTED_VERSION(
      2, false, "The protocol version is not supported; upgrade the client or the broker."),
  FRAME_TOO_LARGE(
      3,
      false,
      "The frame is larger than the broker's maximum frame size; send smaller batches or raise"
          + " the limit on the broker."),
  MALFORMED_FRAME(
      4, false, "The frame could not be decoded; the client is sending bytes Ordo cannot read."),
  CORRUPT_BATCH(
      5,
      false,
      "The record batch failed its CRC or structure check. Sent by a producer, it was not"
          + " stored: resend it from a fresh copy. Delivered to a consumer, none of its records"
          + " was handed over: restart the consumer to fetch it again."),
  BATCH_TOO_LARGE(
      6,
      false,
      "The record batch is larger than the broker accepts; lower the producer's batch size."),
  INVALID_BATCH(
      7,
      false,
      "The record batch has a field out of range (stream name, record count or attributes);"
          + " it was not stored."),
  UNKNOWN_PRODUCER(
      8, false, "The producer id is not known to the broker; initialise the producer again."),
  OUT_OF_ORDER_SEQUENCE(
      9,
      false,
      "The batch sequence skips numbers; a batch before it was lost. Restart the producer to"
          + " get a new session."),
  PRODUCER_FENCED(
      10,
      false,
      "A newer instance of this producer has started; this one is fenced and must be closed."),
  NOT_LEADER(11, true, "This node is not the leader; reconnect to the leader."),
  OFFSET_OUT_OF_RANGE(
      12,
      false,
      "The requested offset is outside the log (below its start after retention, or beyond"
          + " its end); restart from the earliest or latest offset."),
  REQUEST_TIMED_OUT(13, true, "The request timed out; it may or may not have been applied."),
  BROKER_UNAVAILABLE(14, true, "The broker is shutting down or not ready; retry shortly."),
  STORAGE_ERROR(
      15, true, "The broker could not write to its disk; check the broker's data directory."),
  HANDSHAKE_REQUIRED(
      16, false, "The first frame on a connection must be a handshake; fix the client."),
  UNKNOWN_REQUEST(17, false, "The request type is not known to this broker version."),
  THROTTLED(18, true, "The connection has too many bytes in flight; wait for responses first."),
  STALE_GENERATION(
      19,
      false,
      "The consumer group member's generation is no longer current; another member has taken"
          + " over. Rejoin the group."),
  UNKNOWN_GROUP(20, false, "The consumer group does not exist."),
  INVALID_REQUEST(21, false, "A request field is out of range; see the message for which one."),
  DUPLICATE_SEQUENCE(
      22,
      false,
      "The batch was stored before, too long ago for its offsets to be remembered; it was not"
          + " stored again. Treat it as sent.");

  private static final ErrorCode[] BY_CODE;

  static {
    int max = 0;
    for (ErrorCode e : values()) {
      max = Math.max(max, e.code);
    }
    BY_CODE = new ErrorCode[max + 1];
    for (ErrorCode e : values()) {
      if (BY_CODE[e.code] != null) {
        throw new IllegalStateException("duplicate error code " + e.code);
      }
      BY_CODE[e.code] = e;
    }
  }

  private final short code;
  private final boolean retriable;
  private final String message;

  ErrorCode(int code, boolean retriable, String message) {
    this.code = (short) code;
    this.retriable = retriable;
    this.message = message;
  }

  public short code() {
    return code;
  }

  /** True when the same request may succeed if sent again later (or to another node). */
  public boolean retriable() {
    return retriable;
  }

  /** What went wrong and what to do about it, for a person. */
  public String message() {
    return message;
  }

  /** The error for a wire code; unknown codes map to {@link #UNKNOWN}. */
  public static ErrorCode forCode(int code) {
    if (code < 0 || code >= BY_CODE.length || BY_CODE[code] == null) {
      return UNKNOWN;
    }
    return BY_CODE[code];
  }
}
