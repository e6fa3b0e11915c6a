package io.ordo.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked reads of message bodies. Every read checks the bytes left first and raises
 * MALFORMED_FRAME, so no decoder throws an index error or allocates more than the frame holds.
 */
public final class WireReader {
  /** Longest string field (client ids, producer names, group names, stream names). */
  public static final int MAX_STRING_BYTES = 1024;

  private WireReader() {}

  static void require(ByteBuf in, int n, String field) {
    if (in.readableBytes() < n) {
      throw malformed(field + " is truncated");
    }
  }

  public static short readShort(ByteBuf in, String field) {
    require(in, 2, field);
    return in.readShortLE();
  }

  public static int readInt(ByteBuf in, String field) {
    require(in, 4, field);
    return in.readIntLE();
  }

  public static long readLong(ByteBuf in, String field) {
    require(in, 8, field);
    return in.readLongLE();
  }

  /** A UTF-8 string with an int16 length prefix. */
  public static String readString(ByteBuf in, String field) {
    int len = readShort(in, field) & 0xFFFF;
    if (len > MAX_STRING_BYTES) {
      throw malformed(field + " of " + len + " bytes exceeds " + MAX_STRING_BYTES);
    }
    require(in, len, field);
    String s = in.toString(in.readerIndex(), len, StandardCharsets.UTF_8);
    in.skipBytes(len);
    return s;
  }

  public static void writeString(ByteBuf out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > MAX_STRING_BYTES) {
      throw new IllegalArgumentException("string longer than " + MAX_STRING_BYTES + " bytes");
    }
    out.writeShortLE(b.length);
    out.writeBytes(b);
  }

  /** Raises MALFORMED_FRAME when bytes are left after the last field. */
  public static void requireEnd(ByteBuf in, String message) {
    if (in.isReadable()) {
      throw malformed(message + " has " + in.readableBytes() + " trailing bytes");
    }
  }

  static OrdoException malformed(String detail) {
    return new OrdoException(ErrorCode.MALFORMED_FRAME, detail);
  }
}
