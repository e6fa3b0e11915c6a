package io.ordo.protocol.wire;

/** The kinds of frame. Codes are stable on the wire and never reused. */
public enum MessageType {
  HELLO(1),
  HELLO_OK(2),
  ERROR(3),
  INIT_PRODUCER(10),
  INIT_PRODUCER_RESPONSE(11),
  PRODUCE(12),
  PRODUCE_RESPONSE(13);

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
