package io.ordo.protocol.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.RandomInputs;
import io.ordo.protocol.SeededRandom;
import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Property: every message written by {@link Messages} frames correctly ({@link Frame} reads back
 * its size, type and correlation id) and decodes to what was written; a truncated body or a
 * trailing byte is refused with MALFORMED_FRAME, never an index error.
 */
class MessagesRoundTripTest {
  private static final int CASES = 3_000;
  private static final int SLOW_CASES = 100_000;

  private Random r;

  @Test
  void everyMessageRoundTrips() {
    roundTrips("MessagesRoundTripTest.everyMessageRoundTrips", CASES);
  }

  @Test
  @Tag("slow")
  void everyMessageRoundTripsManyMoreTimes() {
    roundTrips("MessagesRoundTripTest.everyMessageRoundTripsManyMoreTimes", SLOW_CASES);
  }

  private void roundTrips(String test, int cases) {
    r = SeededRandom.create(test);
    for (int c = 0; c < cases; c++) {
      Messages.Hello hello =
          new Messages.Hello(
              (short) RandomInputs.edgyInt(r),
              (short) RandomInputs.edgyInt(r),
              RandomInputs.utf8UpTo(r, WireReader.MAX_STRING_BYTES));
      roundTrip(
          MessageType.HELLO,
          (out, id) -> Messages.writeHello(out, id, hello),
          Messages::readHello,
          hello);
      checkNegotiation(hello);

      Messages.HelloOk ok =
          new Messages.HelloOk(
              (short) RandomInputs.edgyInt(r),
              RandomInputs.edgyInt(r),
              RandomInputs.edgyInt(r),
              RandomInputs.edgyInt(r));
      roundTrip(
          MessageType.HELLO_OK,
          (out, id) -> Messages.writeHelloOk(out, id, ok),
          Messages::readHelloOk,
          ok);

      ErrorCode code = ErrorCode.values()[r.nextInt(ErrorCode.values().length)];
      String message = r.nextInt(10) == 0 ? null : RandomInputs.utf8UpTo(r, 3 * 1024);
      roundTrip(
          MessageType.ERROR,
          (out, id) -> Messages.writeError(out, id, code, message),
          Messages::readError,
          new Messages.Error(code, expectedErrorMessage(message)));

      String producerName = RandomInputs.utf8UpTo(r, WireReader.MAX_STRING_BYTES);
      roundTrip(
          MessageType.INIT_PRODUCER,
          (out, id) -> Messages.writeInitProducer(out, id, producerName),
          Messages::readInitProducer,
          producerName);

      Messages.InitProducerResponse ipr =
          new Messages.InitProducerResponse(
              ErrorCode.values()[r.nextInt(ErrorCode.values().length)],
              RandomInputs.edgyLong(r),
              (short) RandomInputs.edgyInt(r));
      roundTrip(
          MessageType.INIT_PRODUCER_RESPONSE,
          (out, id) -> Messages.writeInitProducerResponse(out, id, ipr),
          Messages::readInitProducerResponse,
          ipr);

      List<Messages.BatchResult> results = new ArrayList<>();
      for (int i = r.nextInt(4) == 0 ? 0 : r.nextInt(50); i > 0; i--) {
        results.add(
            new Messages.BatchResult(
                ErrorCode.values()[r.nextInt(ErrorCode.values().length)],
                RandomInputs.edgyLong(r),
                RandomInputs.edgyLong(r)));
      }
      roundTrip(
          MessageType.PRODUCE_RESPONSE,
          (out, id) -> {
            int start = Messages.beginProduceResponse(out, id, results.size());
            for (Messages.BatchResult b : results) {
              Messages.writeBatchResult(out, b.error(), b.baseOffset(), b.baseStreamVersion());
            }
            Frame.end(out, start);
          },
          body -> {
            int n = Messages.readProduceResponseCount(body);
            List<Messages.BatchResult> read = new ArrayList<>();
            for (int i = 0; i < n; i++) {
              read.add(Messages.readBatchResult(body));
            }
            WireReader.requireEnd(body, "produce response");
            return read;
          },
          results);
    }
  }

  @Test
  void produceFramesCarryBatchesBackToBack() {
    r = SeededRandom.create("MessagesRoundTripTest.produceFramesCarryBatchesBackToBack");
    RecordBatchBuilder builder = new RecordBatchBuilder(4096);
    for (int c = 0; c < 500; c++) {
      List<ByteBuffer> batches = new ArrayList<>();
      for (int i = r.nextInt(5); i >= 0; i--) {
        builder.begin(
            RandomInputs.utf8OfLength(r, 1 + r.nextInt(40)),
            r.nextLong(),
            (short) r.nextInt(),
            r.nextInt(),
            r.nextBoolean() ? Compression.NONE : Compression.ZSTD,
            false);
        for (int k = 1 + r.nextInt(20); k > 0; k--) {
          builder.tryAppend(
              r.nextLong(), RandomInputs.bytes(r, 100), RandomInputs.bytes(r, 100), null);
        }
        ByteBuffer built = builder.build();
        ByteBuffer copy = ByteBuffer.allocate(built.remaining());
        copy.put(built).flip();
        batches.add(copy);
      }
      long id = r.nextLong();
      ByteBuf out = Unpooled.buffer();
      out.writeBytes(new byte[r.nextInt(8)]);
      int frameStart = out.writerIndex();
      int start = Messages.beginProduce(out, id, batches.size());
      for (ByteBuffer b : batches) {
        out.writeBytes(b.duplicate());
      }
      Messages.endProduce(out, start);

      ByteBuf body = openFrame(out, frameStart, MessageType.PRODUCE, id);
      assertThat(WireReader.readInt(body, "batch count")).isEqualTo(batches.size());
      RecordBatch view = new RecordBatch();
      for (ByteBuffer expected : batches) {
        ByteBuffer nio = body.nioBuffer();
        int length =
            RecordBatch.checkedLength(nio, 0, nio.remaining(), RecordBatch.MAX_BATCH_LENGTH);
        assertThat(nio.limit(length)).isEqualTo(expected);
        view.wrap(nio, 0).validatePayload();
        body.skipBytes(length);
      }
      WireReader.requireEnd(body, "produce");
      out.release();
    }
  }

  @Test
  void framePrefixesAreCheckedBeforeAnythingIsRead() {
    ByteBuf in = Unpooled.buffer();
    assertThat(Frame.peekFrameSize(in, 1024)).isEqualTo(-1);
    in.writeByte(100);
    in.writeByte(0);
    in.writeByte(0);
    assertThat(Frame.peekFrameSize(in, 1024)).isEqualTo(-1);
    in.writeByte(0);
    assertThat(Frame.peekFrameSize(in, 1024)).isEqualTo(104);
    assertThat(in.readerIndex()).isZero();
    assertFrameError(() -> Frame.peekFrameSize(in, 103), ErrorCode.FRAME_TOO_LARGE);
    in.setIntLE(0, Frame.HEADER_LENGTH - Frame.LENGTH_FIELD_LENGTH - 1);
    assertFrameError(() -> Frame.peekFrameSize(in, 1024), ErrorCode.MALFORMED_FRAME);
    in.setIntLE(0, -1);
    assertFrameError(() -> Frame.peekFrameSize(in, 1024), ErrorCode.MALFORMED_FRAME);
    in.setIntLE(0, Integer.MAX_VALUE);
    assertFrameError(
        () -> Frame.peekFrameSize(in, Frame.DEFAULT_MAX_FRAME_BYTES), ErrorCode.FRAME_TOO_LARGE);
  }

  @Test
  void codesMapBothWays() {
    for (ErrorCode e : ErrorCode.values()) {
      assertThat(ErrorCode.forCode(e.code())).isEqualTo(e);
      assertThat(e.message()).isNotBlank();
    }
    assertThat(ErrorCode.forCode(-1)).isEqualTo(ErrorCode.UNKNOWN);
    assertThat(ErrorCode.forCode(Short.MAX_VALUE)).isEqualTo(ErrorCode.UNKNOWN);
    for (MessageType t : MessageType.values()) {
      assertThat(MessageType.forCode(t.code())).isEqualTo(t);
    }
    assertThat(MessageType.forCode(-1)).isNull();
    assertThat(MessageType.forCode(0)).isNull();
    assertThat(MessageType.forCode(Short.MAX_VALUE)).isNull();
  }

  private interface Writer {
    void write(ByteBuf out, long correlationId);
  }

  private <T> void roundTrip(
      MessageType type, Writer writer, Function<ByteBuf, T> reader, T expected) {
    long id = RandomInputs.edgyLong(r);
    ByteBuf out = r.nextBoolean() ? Unpooled.buffer(r.nextInt(64)) : Unpooled.directBuffer(16);
    byte[] junk = new byte[r.nextInt(16)];
    r.nextBytes(junk);
    out.writeBytes(junk);
    int frameStart = out.writerIndex();
    writer.write(out, id);
    ByteBuf body = openFrame(out, frameStart, type, id);
    assertThat(reader.apply(body.duplicate())).isEqualTo(expected);

    int bodyLength = body.readableBytes();
    if (bodyLength > 0) {
      int cut = r.nextInt(bodyLength);
      assertFrameError(() -> reader.apply(body.duplicate().writerIndex(body.readerIndex() + cut)));
    }
    ByteBuf longer = Unpooled.buffer(bodyLength + 1);
    longer.writeBytes(body.duplicate());
    longer.writeByte(r.nextInt());
    assertFrameError(() -> reader.apply(longer));
    out.release();
  }

  /** Checks the frame header at {@code start} and returns its body. */
  private static ByteBuf openFrame(ByteBuf out, int start, MessageType type, long correlationId) {
    int size = out.writerIndex() - start;
    ByteBuf in = out.duplicate().readerIndex(start);
    assertThat(Frame.peekFrameSize(in, size)).isEqualTo(size);
    assertFrameError(() -> Frame.peekFrameSize(in, size - 1), ErrorCode.FRAME_TOO_LARGE);
    ByteBuf frame = in.readSlice(size);
    assertThat(Frame.type(frame)).isEqualTo(type.code());
    assertThat(MessageType.forCode(Frame.type(frame))).isEqualTo(type);
    assertThat(Frame.correlationId(frame)).isEqualTo(correlationId);
    assertThat(frame.getShortLE(Frame.FLAGS_OFFSET)).isZero();
    Frame.skipHeader(frame);
    assertThat(frame.readerIndex()).isEqualTo(Frame.HEADER_LENGTH);
    return frame;
  }

  private static void checkNegotiation(Messages.Hello hello) {
    short min = hello.minVersion();
    short max = hello.maxVersion();
    boolean overlaps =
        min <= Messages.PROTOCOL_VERSION && max >= Messages.MIN_PROTOCOL_VERSION && min <= max;
    if (overlaps) {
      assertThat(Messages.negotiate(hello)).isEqualTo(Messages.PROTOCOL_VERSION);
    } else {
      assertFrameError(() -> Messages.negotiate(hello), ErrorCode.UNSUPPORTED_VERSION);
    }
  }

  /**
   * What an ERROR frame carries for {@code message}: the longest prefix of whole code points that
   * fits in {@link WireReader#MAX_STRING_BYTES} UTF-8 bytes.
   */
  private static String expectedErrorMessage(String message) {
    if (message == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < message.length(); ) {
      int cp = message.codePointAt(i);
      int n = RandomInputs.utf8Length(cp);
      if (bytes + n > WireReader.MAX_STRING_BYTES) {
        break;
      }
      sb.appendCodePoint(cp);
      bytes += n;
      i += Character.charCount(cp);
    }
    assertThat(sb.toString().getBytes(StandardCharsets.UTF_8).length).isEqualTo(bytes);
    return sb.toString();
  }

  private static void assertFrameError(Runnable decode) {
    assertFrameError(decode, ErrorCode.MALFORMED_FRAME);
  }

  private static void assertFrameError(Runnable decode, ErrorCode code) {
    assertThatThrownBy(decode::run)
        .isInstanceOf(OrdoException.class)
        .satisfies(e -> assertThat(((OrdoException) e).errorCode()).isEqualTo(code));
  }
}
