package io.ordo.protocol.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Property: every read-path message decodes to what was written, and every truncation of its body
 * and every random body is refused with MALFORMED_FRAME (never an index error or a huge
 * allocation).
 */
class ReadMessagesTest {
  private static final int CASES = 2_000;

  private static Random random() {
    long seed = Long.getLong("ordo.seed", new Random().nextLong());
    System.out.println("ReadMessagesTest seed " + seed + " (replay with -Dordo.seed=" + seed + ")");
    return new Random(seed);
  }

  private static String str(Random r) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(20);
    for (int i = 0; i < n; i++) {
      sb.append((char) ('a' + r.nextInt(26)));
    }
    return sb.toString();
  }

  private static <T> void check(
      T value, BiConsumer<ByteBuf, T> writer, Function<ByteBuf, T> reader) {
    ByteBuf b = Unpooled.buffer();
    writer.accept(b, value);
    assertThat(Frame.peekFrameSize(b, Frame.DEFAULT_MAX_FRAME_BYTES)).isEqualTo(b.readableBytes());
    ByteBuf whole = b.copy();
    Frame.skipHeader(whole);
    assertThat(reader.apply(whole)).isEqualTo(value);
    int bodyLength = b.readableBytes() - Frame.HEADER_LENGTH;
    for (int cut = 0; cut < bodyLength; cut++) {
      ByteBuf part = b.slice(Frame.HEADER_LENGTH, cut);
      try {
        reader.apply(part);
        throw new AssertionError("a body cut to " + cut + " bytes was accepted");
      } catch (OrdoException e) {
        assertThat(e.errorCode()).isEqualTo(ErrorCode.MALFORMED_FRAME);
      }
    }
  }

  @Test
  void everyReadMessageRoundTripsAndTruncationsAreRefused() {
    Random r = random();
    for (int i = 0; i < CASES; i++) {
      long id = r.nextLong();
      check(
          new ReadMessages.Subscribe(
              (byte) r.nextInt(3),
              str(r),
              (byte) r.nextInt(4),
              r.nextLong(),
              r.nextLong(),
              str(r),
              r.nextInt()),
          (b, v) -> ReadMessages.writeSubscribe(b, id, v),
          ReadMessages::readSubscribe);
      check(
          new ReadMessages.SubscribeResponse(ErrorCode.STALE_GENERATION, r.nextLong()),
          (b, v) -> ReadMessages.writeSubscribeResponse(b, id, v),
          ReadMessages::readSubscribeResponse);
      check(
          new ReadMessages.JoinGroup(str(r), str(r), str(r), r.nextInt()),
          (b, v) -> ReadMessages.writeJoinGroup(b, id, v),
          ReadMessages::readJoinGroup);
      check(
          new ReadMessages.JoinGroupResponse(ErrorCode.NONE, r.nextInt(), r.nextLong()),
          (b, v) -> ReadMessages.writeJoinGroupResponse(b, id, v),
          ReadMessages::readJoinGroupResponse);
      check(
          new ReadMessages.CommitOffset(str(r), str(r), r.nextInt(), r.nextLong()),
          (b, v) -> ReadMessages.writeCommitOffset(b, id, v),
          ReadMessages::readCommitOffset);
      check(
          1 + (r.nextLong() & Long.MAX_VALUE) / 2,
          ReadMessages::writeCredit,
          ReadMessages::readCredit);
      check(
          new ReadMessages.StreamList(
              r.nextLong(),
              r.nextLong(),
              List.of(
                  new ReadMessages.StreamInfo(str(r) + "x", r.nextLong(), r.nextLong(), -1),
                  new ReadMessages.StreamInfo(str(r) + "y", 0, 0, 0))),
          (b, v) -> ReadMessages.writeListStreamsResponse(b, id, v),
          ReadMessages::readListStreamsResponse);
      check(
          new ReadMessages.GroupList(
              r.nextLong(),
              List.of(
                  new ReadMessages.GroupInfo(str(r), str(r), r.nextInt(), str(r), 1, -1, -1, false),
                  new ReadMessages.GroupInfo(
                      str(r), str(r), r.nextInt(), str(r), 0, r.nextLong(), r.nextLong(), true))),
          (b, v) -> ReadMessages.writeDescribeGroupsResponse(b, id, v),
          ReadMessages::readDescribeGroupsResponse);
    }
  }

  @Test
  void randomBodiesAreRefusedCleanly() {
    Random r = random();
    List<Function<ByteBuf, ?>> readers =
        List.of(
            ReadMessages::readSubscribe,
            ReadMessages::readSubscribeResponse,
            ReadMessages::readJoinGroup,
            ReadMessages::readJoinGroupResponse,
            ReadMessages::readCommitOffset,
            ReadMessages::readCommitOffsetResponse,
            ReadMessages::readCredit,
            ReadMessages::readListStreams,
            ReadMessages::readListStreamsResponse,
            ReadMessages::readDescribeGroups,
            ReadMessages::readDescribeGroupsResponse);
    for (int i = 0; i < CASES * 5; i++) {
      byte[] body = new byte[r.nextInt(64)];
      r.nextBytes(body);
      for (Function<ByteBuf, ?> reader : readers) {
        try {
          reader.apply(Unpooled.wrappedBuffer(body));
        } catch (OrdoException e) {
          assertThat(e.errorCode()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        }
      }
    }
  }
}
