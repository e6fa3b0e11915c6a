package io.ordo.protocol.wire;

import static io.ordo.protocol.wire.WireReader.readInt;
import static io.ordo.protocol.wire.WireReader.readLong;
import static io.ordo.protocol.wire.WireReader.readShort;
import static io.ordo.protocol.wire.WireReader.readString;
import static io.ordo.protocol.wire.WireReader.requireEnd;
import static io.ordo.protocol.wire.WireReader.writeString;

import io.netty.buffer.ByteBuf;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;

/**
 * Encoders and decoders of the control messages (everything but the batches themselves). Each
 * {@code write*} method appends one whole frame to {@code out}; each {@code read*} method decodes a
 * body (the reader index just past the frame header) and checks that nothing is left over. Bodies,
 * little-endian:
 *
 * <pre>
 * HELLO                  int32 magic 'ORDO', int16 minVersion, int16 maxVersion, string clientId
 * HELLO_OK               int16 version, int32 nodeId, int32 maxFrameBytes, int32 maxBatchBytes
 * ERROR                  int16 errorCode, string message (cut to whole code points that fit)
 * INIT_PRODUCER          string producerName ("" = a fresh anonymous producer)
 * INIT_PRODUCER_RESPONSE int16 errorCode, int64 producerId, int16 epoch
 * PRODUCE                int32 batchCount, then that many record batches back to back
 * PRODUCE_RESPONSE       int32 count, then per batch: int16 errorCode, int64 baseOffset,
 *                        int64 baseStreamVersion (both -1 on error)
 * </pre>
 *
 * Strings are an int16 byte length and UTF-8 bytes, at most {@link WireReader#MAX_STRING_BYTES}.
 */
public final class Messages {
  /** 'ORDO' as a little-endian int. */
  public static final int HELLO_MAGIC = 0x4f44524f;

  public static final short PROTOCOL_VERSION = 1;
  public static final short MIN_PROTOCOL_VERSION = 1;

  private Messages() {}

  // ---- handshake ----

  public record Hello(short minVersion, short maxVersion, String clientId) {}

  public static void writeHello(ByteBuf out, long correlationId, Hello hello) {
    int start = Frame.begin(out, MessageType.HELLO, correlationId);
    out.writeIntLE(HELLO_MAGIC);
    out.writeShortLE(hello.minVersion());
    out.writeShortLE(hello.maxVersion());
    writeString(out, hello.clientId());
    Frame.end(out, start);
  }

  public static Hello readHello(ByteBuf body) {
    int magic = readInt(body, "hello magic");
    if (magic != HELLO_MAGIC) {
      throw new OrdoException(
          ErrorCode.HANDSHAKE_REQUIRED, "hello magic " + Integer.toHexString(magic) + " is wrong");
    }
    Hello h =
        new Hello(
            readShort(body, "min version"),
            readShort(body, "max version"),
            readString(body, "client id"));
    requireEnd(body, "hello");
    return h;
  }

  /**
   * The version both sides speak: the highest in both ranges.
   *
   * @throws OrdoException UNSUPPORTED_VERSION when the ranges do not overlap
   */
  public static short negotiate(Hello hello) {
    short v = (short) Math.min(hello.maxVersion(), PROTOCOL_VERSION);
    if (v < hello.minVersion() || v < MIN_PROTOCOL_VERSION) {
      throw new OrdoException(
          ErrorCode.UNSUPPORTED_VERSION,
          "client speaks versions "
              + hello.minVersion()
              + ".."
              + hello.maxVersion()
              + ", broker "
              + MIN_PROTOCOL_VERSION
              + ".."
              + PROTOCOL_VERSION);
    }
    return v;
  }

  public record HelloOk(short version, int nodeId, int maxFrameBytes, int maxBatchBytes) {}

  public static void writeHelloOk(ByteBuf out, long correlationId, HelloOk ok) {
    int start = Frame.begin(out, MessageType.HELLO_OK, correlationId);
    out.writeShortLE(ok.version());
    out.writeIntLE(ok.nodeId());
    out.writeIntLE(ok.maxFrameBytes());
    out.writeIntLE(ok.maxBatchBytes());
    Frame.end(out, start);
  }

  public static HelloOk readHelloOk(ByteBuf body) {
    HelloOk ok =
        new HelloOk(
            readShort(body, "version"),
            readInt(body, "node id"),
            readInt(body, "max frame bytes"),
            readInt(body, "max batch bytes"));
    requireEnd(body, "hello ok");
    return ok;
  }

  // ---- errors ----

  public record Error(ErrorCode code, String message) {}

  public static void writeError(ByteBuf out, long correlationId, ErrorCode code, String message) {
    int start = Frame.begin(out, MessageType.ERROR, correlationId);
    out.writeShortLE(code.code());
    writeString(out, truncated(message == null ? "" : message, WireReader.MAX_STRING_BYTES));
    Frame.end(out, start);
  }

  /** The longest prefix of whole code points of {@code s} that fits in {@code maxBytes} UTF-8. */
  private static String truncated(String s, int maxBytes) {
    if (s.length() * 3 <= maxBytes) {
      return s;
    }
    int bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + n > maxBytes) {
        break;
      }
      bytes += n;
      i += Character.charCount(cp);
    }
    return s.substring(0, i);
  }

  public static Error readError(ByteBuf body) {
    Error e =
        new Error(
            ErrorCode.forCode(readShort(body, "error code")), readString(body, "error message"));
    requireEnd(body, "error");
    return e;
  }

  // ---- producers ----

  public static void writeInitProducer(ByteBuf out, long correlationId, String producerName) {
    int start = Frame.begin(out, MessageType.INIT_PRODUCER, correlationId);
    writeString(out, producerName);
    Frame.end(out, start);
  }

  public static String readInitProducer(ByteBuf body) {
    String name = readString(body, "producer name");
    requireEnd(body, "init producer");
    return name;
  }

  public record InitProducerResponse(ErrorCode error, long producerId, short epoch) {}

  public static void writeInitProducerResponse(
      ByteBuf out, long correlationId, InitProducerResponse r) {
    int start = Frame.begin(out, MessageType.INIT_PRODUCER_RESPONSE, correlationId);
    out.writeShortLE(r.error().code());
    out.writeLongLE(r.producerId());
    out.writeShortLE(r.epoch());
    Frame.end(out, start);
  }

  public static InitProducerResponse readInitProducerResponse(ByteBuf body) {
    InitProducerResponse r =
        new InitProducerResponse(
            ErrorCode.forCode(readShort(body, "error code")),
            readLong(body, "producer id"),
            readShort(body, "epoch"));
    requireEnd(body, "init producer response");
    return r;
  }

  /**
   * Starts a PRODUCE frame; append batches with {@code out.writeBytes}, then {@link #endProduce}.
   * Returns the frame start.
   */
  public static int beginProduce(ByteBuf out, long correlationId, int batchCount) {
    int start = Frame.begin(out, MessageType.PRODUCE, correlationId);
    out.writeIntLE(batchCount);
    return start;
  }

  public static void endProduce(ByteBuf out, int start) {
    Frame.end(out, start);
  }

  /** Per-batch outcome in a PRODUCE_RESPONSE. */
  public record BatchResult(ErrorCode error, long baseOffset, long baseStreamVersion) {}

  public static int beginProduceResponse(ByteBuf out, long correlationId, int count) {
    int start = Frame.begin(out, MessageType.PRODUCE_RESPONSE, correlationId);
    out.writeIntLE(count);
    return start;
  }

  public static void writeBatchResult(
      ByteBuf out, ErrorCode error, long baseOffset, long baseStreamVersion) {
    out.writeShortLE(error.code());
    out.writeLongLE(baseOffset);
    out.writeLongLE(baseStreamVersion);
  }

  /** Size of one entry written by {@link #writeBatchResult}. */
  public static final int BATCH_RESULT_LENGTH = 18;

  /** Reads the count of a PRODUCE_RESPONSE, checking that the entries are all there. */
  public static int readProduceResponseCount(ByteBuf body) {
    int count = readInt(body, "result count");
    if (count < 0 || (long) count * BATCH_RESULT_LENGTH != body.readableBytes()) {
      throw WireReader.malformed("produce response count " + count + " does not match its size");
    }
    return count;
  }

  public static BatchResult readBatchResult(ByteBuf body) {
    return new BatchResult(
        ErrorCode.forCode(readShort(body, "error code")),
        readLong(body, "base offset"),
        readLong(body, "base stream version"));
  }
}
