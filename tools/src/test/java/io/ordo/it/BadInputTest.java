package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ordo.broker.server.Node;
import io.ordo.broker.server.NodeConfig;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordBatchBuilder;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.MessageType;
import io.ordo.protocol.wire.Messages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input over a real socket to a real node: every kind gets an error code or a closed
 * connection, nothing reaches the log, and a well-behaved client on another connection is served
 * throughout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputTest {
  @TempDir Path dir;
  Node node;

  @BeforeEach
  void start() throws Exception {
    node = Node.start(NodeConfig.builder().dataDir(dir).port(0).maxBatchBytes(64 * 1024).build());
  }

  @AfterEach
  void stop() throws IOException {
    node.close();
  }

  static ByteBuffer batch(String stream, String value) {
    RecordBatchBuilder b = new RecordBatchBuilder(16 * 1024);
    b.begin(stream, RecordBatch.NO_PRODUCER_ID, (short) 0, -1, Compression.NONE, false);
    b.tryAppend(1, null, value.getBytes(StandardCharsets.UTF_8), null);
    return b.build();
  }

  static ByteBuf produceFrame(long correlationId, ByteBuffer... batches) {
    ByteBuf f = Unpooled.buffer();
    int start = Messages.beginProduce(f, correlationId, batches.length);
    for (ByteBuffer b : batches) {
      f.writeBytes(b.duplicate());
    }
    Messages.endProduce(f, start);
    return f;
  }

  static Messages.Error readError(ByteBuf frame) {
    assertThat(Frame.type(frame)).isEqualTo(MessageType.ERROR.code());
    Frame.skipHeader(frame);
    return Messages.readError(frame);
  }

  static ErrorCode firstResult(ByteBuf frame) {
    assertThat(Frame.type(frame)).isEqualTo(MessageType.PRODUCE_RESPONSE.code());
    Frame.skipHeader(frame);
    Messages.readProduceResponseCount(frame);
    return Messages.readBatchResult(frame).error();
  }

  @Test
  void everyKindOfBadInputIsRefusedAndNothingReachesTheLog() throws Exception {
    try (RawClient good = new RawClient(node.address())) {
      good.hello();

      try (RawClient c = new RawClient(node.address())) {
        c.send(produceFrame(5, batch("s", "x")));
        assertThat(readError(c.readFrame()).code()).isEqualTo(ErrorCode.HANDSHAKE_REQUIRED);
        assertThat(c.closedByPeer()).isTrue();
      }
      try (RawClient c = new RawClient(node.address())) {
        ByteBuf b = Unpooled.buffer();
        Messages.writeHello(b, 1, new Messages.Hello((short) 5, (short) 9, "future"));
        c.send(b);
        assertThat(readError(c.readFrame()).code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        assertThat(c.closedByPeer()).isTrue();
      }
      try (RawClient c = new RawClient(node.address())) {
        c.hello();
        c.sendBytes(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 1, 2, 3});
        assertThat(readError(c.readFrame()).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(c.closedByPeer()).isTrue();
      }
      try (RawClient c = new RawClient(node.address())) {
        c.hello();
        ByteBuf f = produceFrame(7, batch("s", "truncated"));
        f.writerIndex(f.writerIndex() - 10);
        c.send(f);
      }
      try (RawClient c = new RawClient(node.address())) {
        c.hello();
        ByteBuffer corrupt = batch("s", "flipped");
        int at = corrupt.limit() - 3;
        corrupt.put(at, (byte) (corrupt.get(at) ^ 0x10));
        c.send(produceFrame(8, corrupt));
        assertThat(firstResult(c.readFrame())).isEqualTo(ErrorCode.CORRUPT_BATCH);
        c.send(produceFrame(9, batch("$producers", "reserved")));
        assertThat(firstResult(c.readFrame())).isEqualTo(ErrorCode.INVALID_BATCH);
        ByteBuf wrongCount = produceFrame(10, batch("s", "a"));
        wrongCount.setIntLE(Frame.HEADER_LENGTH, 2);
        c.send(wrongCount);
        assertThat(readError(c.readFrame()).code())
            .isIn(ErrorCode.CORRUPT_BATCH, ErrorCode.MALFORMED_FRAME);
        assertThat(c.closedByPeer()).isTrue();
      }
      Random rnd = TestSeed.random(BadInputTest.class);
      for (int i = 0; i < 20; i++) {
        try (RawClient c = new RawClient(node.address())) {
          if (rnd.nextBoolean()) {
            c.hello();
          }
          byte[] junk = new byte[1 + rnd.nextInt(4096)];
          rnd.nextBytes(junk);
          c.sendBytes(junk);
        }
      }
      assertThat(node.nextOffset()).as("nothing bad reached the log").isZero();

      good.send(produceFrame(11, batch("s", "fine")));
      ByteBuf ok = good.readFrame();
      assertThat(Frame.type(ok)).isEqualTo(MessageType.PRODUCE_RESPONSE.code());
      Frame.skipHeader(ok);
      assertThat(Messages.readProduceResponseCount(ok)).isEqualTo(1);
      Messages.BatchResult r = Messages.readBatchResult(ok);
      assertThat(r.error()).isEqualTo(ErrorCode.NONE);
      assertThat(r.baseOffset()).isZero();
      assertThat(node.nextOffset()).isEqualTo(1);
    }
  }
}
