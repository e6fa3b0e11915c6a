package io.ordo.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;

/**
 * The frame every message travels in. All integers little-endian.
 *
 * <pre>
 *  0 int32 length         bytes after this field (header rest + body)
 *  4 int16 type           {@link MessageType}
 *  6 int16 flags          0 for now
 *  8 int64 correlationId  echoed in the response; 0 for pushed messages
 * 16 body
 * </pre>
 *
 * <p>The length is checked against the receiver's maximum before a single byte of the frame is
 * buffered, so a huge length prefix costs nothing but the connection.
 */
public final class Frame {
  public static final int LENGTH_FIELD_LENGTH = 4;
  public static final int TYPE_OFFSET = 4;
  public static final int FLAGS_OFFSET = 6;
  public static final int CORRELATION_ID_OFFSET = 8;
  public static final int HEADER_LENGTH = 16;

  /** Default and ceiling of the maximum frame size a node accepts. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

  private Frame() {}

  /**
   * Looks at the length prefix of the next frame without consuming anything.
   *
   * @return the whole frame's size in bytes (prefix included), or -1 if fewer than 4 bytes are
   *     readable yet
   * @throws OrdoException FRAME_TOO_LARGE or MALFORMED_FRAME when the prefix is out of range
   */
  public static int peekFrameSize(ByteBuf in, int maxFrameBytes) {
    if (in.readableBytes() < LENGTH_FIELD_LENGTH) {
      return -1;
    }
    int length = in.getIntLE(in.readerIndex());
    if (length < HEADER_LENGTH - LENGTH_FIELD_LENGTH) {
      throw new OrdoException(ErrorCode.MALFORMED_FRAME, "frame length " + length + " too small");
    }
    if (length > maxFrameBytes - LENGTH_FIELD_LENGTH) {
      throw new OrdoException(
          ErrorCode.FRAME_TOO_LARGE,
          "frame of " + length + " bytes exceeds the maximum of " + maxFrameBytes);
    }
    return length + LENGTH_FIELD_LENGTH;
  }

  /** Writes a frame header with a placeholder length; returns the frame's start index. */
  public static int begin(ByteBuf out, MessageType type, long correlationId) {
    int start = out.writerIndex();
    out.writeIntLE(0);
    out.writeShortLE(type.code());
    out.writeShortLE(0);
    out.writeLongLE(correlationId);
    return start;
  }

  /** Fills in the length of the frame begun at {@code start}. */
  public static void end(ByteBuf out, int start) {
    out.setIntLE(start, out.writerIndex() - start - LENGTH_FIELD_LENGTH);
  }

  public static int type(ByteBuf frame) {
    return frame.getShortLE(frame.readerIndex() + TYPE_OFFSET);
  }

  public static long correlationId(ByteBuf frame) {
    return frame.getLongLE(frame.readerIndex() + CORRELATION_ID_OFFSET);
  }

  /** Moves the reader index of a whole frame past its header, to the body. */
  public static void skipHeader(ByteBuf frame) {
    frame.skipBytes(HEADER_LENGTH);
  }
}
