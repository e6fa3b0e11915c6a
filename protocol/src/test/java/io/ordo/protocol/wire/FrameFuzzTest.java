package io.ordo.protocol.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ordo.protocol.AllocationMeter;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.RecordBatch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the path every inbound byte takes: {@link Frame#peekFrameSize} with a limit, then, for
 * each complete frame, the decoder its type names. The only exception allowed out is {@link
 * OrdoException}, and decoding one input may allocate only in proportion to its size, whatever its
 * length fields say. Stored inputs under {@code FrameFuzzTestInputs/decodeFrames} run as regression
 * tests in every build; see FUZZING.md for fuzzing.
 */
class FrameFuzzTest {
  static final int MAX_FRAME_BYTES = 1024 * 1024;
  private static final long SLACK_BYTES = 64 * 1024;

  @FuzzTest(maxDuration = "5m")
  void decodeFrames(byte[] data) {
    // A first, unmeasured run loads the classes this input's path needs: loading (and the fuzzer's
    // instrumentation of) a class allocates on this thread but is not the decoder's doing.
    decodeAll(Unpooled.wrappedBuffer(data));
    ByteBuf in = Unpooled.wrappedBuffer(data);
    long before = AllocationMeter.allocatedBytes();
    decodeAll(in);
    long allocated = AllocationMeter.allocatedBytes() - before;
    assertThat(allocated)
        .as("bytes allocated to decode %d input bytes", data.length)
        .isLessThanOrEqualTo(SLACK_BYTES + 4L * data.length);
  }

  @Test
  void storedInputsMeanWhatTheirNamesSay() throws IOException {
    Map<String, Integer> frames =
        Map.of(
            "hello", 1,
            "hello-ok", 1,
            "error", 1,
            "init-producer", 1,
            "init-producer-response", 1,
            "produce-response", 1,
            "produce", 1,
            "several-frames", 7,
            "truncated-hello", 0);
    for (Map.Entry<String, Integer> e : frames.entrySet()) {
      assertThat(decodeAll(Unpooled.wrappedBuffer(stored(e.getKey()))))
          .as(e.getKey())
          .isEqualTo(e.getValue());
    }
    ByteBuf huge = Unpooled.wrappedBuffer(stored("huge-length-prefix"));
    assertThatThrownBy(() -> Frame.peekFrameSize(huge, MAX_FRAME_BYTES))
        .isInstanceOf(OrdoException.class)
        .hasMessageContaining("FRAME_TOO_LARGE");
    ByteBuf hugeString = Unpooled.wrappedBuffer(stored("huge-string-length"));
    Frame.skipHeader(hugeString);
    assertThatThrownBy(() -> Messages.readHello(hugeString))
        .isInstanceOf(OrdoException.class)
        .hasMessageContaining("MALFORMED_FRAME");
  }

  private static byte[] stored(String name) throws IOException {
    try (InputStream in =
        FrameFuzzTest.class.getResourceAsStream("FrameFuzzTestInputs/decodeFrames/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  /** Decodes every complete frame in {@code in}; returns how many it read. */
  static int decodeAll(ByteBuf in) {
    int frames = 0;
    try {
      while (true) {
        int size = Frame.peekFrameSize(in, MAX_FRAME_BYTES);
        if (size < 0 || size > in.readableBytes()) {
          return frames;
        }
        ByteBuf frame = in.readSlice(size);
        decodeOne(frame);
        frames++;
      }
    } catch (OrdoException expected) {
      return frames;
    }
  }

  private static void decodeOne(ByteBuf frame) {
    MessageType type = MessageType.forCode(Frame.type(frame));
    Frame.correlationId(frame);
    Frame.skipHeader(frame);
    if (type == null) {
      return;
    }
    switch (type) {
      case HELLO:
        Messages.negotiate(Messages.readHello(frame));
        break;
      case HELLO_OK:
        Messages.readHelloOk(frame);
        break;
      case ERROR:
        Messages.readError(frame);
        break;
      case INIT_PRODUCER:
        Messages.readInitProducer(frame);
        break;
      case INIT_PRODUCER_RESPONSE:
        Messages.readInitProducerResponse(frame);
        break;
      case PRODUCE_RESPONSE:
        for (int n = Messages.readProduceResponseCount(frame); n > 0; n--) {
          Messages.readBatchResult(frame);
        }
        WireReader.requireEnd(frame, "produce response");
        break;
      case PRODUCE:
        readProduce(frame);
        break;
    }
  }

  /** Walks the batches of a PRODUCE body the way the broker does before it looks inside one. */
  private static void readProduce(ByteBuf body) {
    int count = WireReader.readInt(body, "batch count");
    RecordBatch batch = new RecordBatch();
    ByteBuffer nio = body.nioBuffer();
    int pos = 0;
    for (int i = 0; i < count; i++) {
      int length = RecordBatch.checkedLength(nio, pos, nio.limit() - pos, MAX_FRAME_BYTES);
      batch.wrap(nio, pos).validatePayload();
      pos += length;
    }
    if (pos != nio.limit()) {
      throw new OrdoException(ErrorCode.MALFORMED_FRAME, "bytes left after the last batch");
    }
  }
}
