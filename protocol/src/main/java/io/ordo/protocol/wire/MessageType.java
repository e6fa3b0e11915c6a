package io.ordo.protocol.wire;

/** The kinds of frame. Codes are stable on the wire and never reused. */
public enum MessageType {
  HELLO(1),
  HELLO_OK(2),
  ERROR(3),
  INIT_PRODUCER(10),
  INIT_PRODUCER_RESPONSE(11),
  PRODUCE(12),
  PRODUCE_RESPONSE(13),
  // the read path: bodies in ReadMessages
  SUBSCRIBE(20),
  SUBSCRIBE_RESPONSE(21),
  DELIVERY(22),
  CREDIT(23),
  JOIN_GROUP(24),
  JOIN_GROUP_RESPONSE(25),
  HEARTBEAT(26),
  COMMIT_OFFSET(27),
  COMMIT_OFFSET_RESPONSE(28),
  LIST_STREAMS(29),
  LIST_STREAMS_RESPONSE(30),
  DESCRIBE_GROUPS(31),
  DESCRIBE_GROUPS_RESPONSE(32);

  private static final MessageType[] BY_CODE = new MessageType[64];

  static {
    for (MessageType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final short code;

  MessageType(int code) {
    this.code = (short) code;
  }

  public short code() {
    return code;
  }

  /** The type for a wire code, or null when the code is unknown. */
  public static MessageType forCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
