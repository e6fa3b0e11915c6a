package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ordo.broker.server.Node;
import io.ordo.broker.server.NodeConfig;
import io.ordo.consumer.CommitPolicy;
import io.ordo.consumer.Consumer;
import io.ordo.consumer.StartPosition;
import io.ordo.consumer.StreamSelector;
import io.ordo.producer.Producer;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.MessageType;
import io.ordo.protocol.wire.Messages;
import io.ordo.protocol.wire.ReadMessages;
import io.ordo.protocol.wire.Transport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The read path on a real node in this JVM: push delivery in log order (all streams and one
 * stream), a group's standby taking over from the committed offset when the active member dies, and
 * a stale member's commit refused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadPathTest {
  static final int PRODUCERS = 4;
  static final int RECORDS = 3_000;

  @TempDir Path dir;

  private static void produce(
      String bootstrap, int producers, int records, Random rnd, Transport transport)
      throws Exception {
    List<Producer> ps = new ArrayList<>();
    try {
      for (int p = 0; p < producers; p++) {
        ps.add(
            Producer.builder()
                .bootstrapServers(bootstrap)
                .producerName("p" + p)
                .transport(transport)
                .build());
      }
      List<CompletableFuture<?>> fs = new ArrayList<>();
      for (int i = 0; i < records; i++) {
        for (int p = 0; p < producers; p++) {
          fs.add(ps.get(p).send("s" + p, null, LogContents.value(p, i, 16 + rnd.nextInt(100))));
        }
      }
      for (CompletableFuture<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      for (Producer p : ps) {
        p.close();
      }
    }
  }

  @Test
  void deliversInLogOrderAndStandbyTakesOverFromTheCommittedOffset() throws Exception {
    Random rnd = TestSeed.random(ReadPathTest.class);
    List<LogContents.Stored> expected;
    GroupLog all = new GroupLog();
    GroupLog one = new GroupLog();
    GroupLog group = new GroupLog();
    try (Node node = Node.start(NodeConfig.builder().dataDir(dir).port(0).build())) {
      String bootstrap = "127.0.0.1:" + node.address().getPort();
      try (Consumer cAll = Consumer.builder().bootstrapServers(bootstrap).build();
          Consumer cOne = Consumer.builder().bootstrapServers(bootstrap).creditBytes(4096).build();
          Consumer a =
              Consumer.builder()
                  .bootstrapServers(bootstrap)
                  .group("g")
                  .memberId("a")
                  .commitIntervalMs(20)
                  .build();
          Consumer b =
              Consumer.builder()
                  .bootstrapServers(bootstrap)
                  .group("g")
                  .memberId("b")
                  .commitIntervalMs(20)
                  .build()) {
        cAll.subscribe(StreamSelector.all(), StartPosition.earliest(), all, all);
        cOne.subscribe(StreamSelector.stream("s1"), StartPosition.earliest(), one, one);
        a.subscribe(StreamSelector.all(), StartPosition.earliest(), group, group);
        Await.until("a active", 10_000, () -> a.generation() > 0);
        b.subscribe(StreamSelector.all(), StartPosition.earliest(), group, group);
        produce(bootstrap, PRODUCERS, RECORDS, rnd, Transport.AUTO);
        int total = PRODUCERS * RECORDS;
        Await.until("a committed something", 30_000, () -> group.maxAckedCommit() > 0);
        a.closeAbruptly();
        Await.until("b took over", 30_000, () -> b.generation() == 2);
        Await.until("all delivered", 60_000, () -> all.size() == total);
        Await.until("s1 delivered", 60_000, () -> one.size() == RECORDS);
        Await.until("group delivered", 60_000, () -> group.size() == total);
        assertThat(group.activations()).isEqualTo(2);

        // A stale member's commit is refused.
        try (RawClient raw = new RawClient(node.address())) {
          raw.hello();
          ByteBuf out = Unpooled.buffer();
          ReadMessages.writeCommitOffset(out, 7, new ReadMessages.CommitOffset("g", "all", 1, 10));
          raw.send(out);
          ByteBuf reply = raw.readFrame();
          assertThat(Frame.type(reply)).isEqualTo(MessageType.COMMIT_OFFSET_RESPONSE.code());
          Frame.skipHeader(reply);
          assertThat(ReadMessages.readCommitOffsetResponse(reply))
              .isEqualTo(ErrorCode.STALE_GENERATION);
        }
      }
    }
    expected = LogContents.read(dir);
    List<Long> offsets = new ArrayList<>();
    List<Long> s1 = new ArrayList<>();
    for (LogContents.Stored s : expected) {
      offsets.add(s.offset());
      if (s.stream().equals("s1")) {
        s1.add(s.offset());
      }
    }
    assertThat(all.violation()).isNull();
    assertThat(group.violation()).isNull();
    assertThat(all.offsets()).isEqualTo(offsets);
    assertThat(one.offsets()).isEqualTo(s1);
    assertThat(group.offsets()).isEqualTo(offsets);
    assertThat(Messages.PROTOCOL_VERSION).isEqualTo((short) 1);
  }

  /**
   * Each Netty transport carries the write path and push delivery from the segment files (epoll's
   * {@code sendfile} of a file region, NIO's {@code transferTo}); the other tests run on the
   * default, epoll where it loads.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = Transport.class,
      names = {"NIO", "EPOLL"})
  void eachTransportCarriesTheWriteAndReadPaths(Transport transport) throws Exception {
    assumeTrue(
        transport == Transport.NIO || Transport.AUTO.resolve() == Transport.EPOLL,
        "epoll does not load here");
    Random rnd = TestSeed.random(ReadPathTest.class);
    GroupLog all = new GroupLog();
    try (Node node =
        Node.start(NodeConfig.builder().dataDir(dir).port(0).transport(transport).build())) {
      String bootstrap = "127.0.0.1:" + node.address().getPort();
      try (Consumer c = Consumer.builder().bootstrapServers(bootstrap).creditBytes(4096).build()) {
        c.subscribe(StreamSelector.all(), StartPosition.earliest(), all, all);
        produce(bootstrap, 2, RECORDS, rnd, transport);
        Await.until("all delivered", 60_000, () -> all.size() == 2 * RECORDS);
      }
    }
    List<LogContents.Stored> stored = LogContents.read(dir);
    assertThat(all.violation()).isNull();
    assertThat(all.offsets()).isEqualTo(stored.stream().map(LogContents.Stored::offset).toList());
    assertThat(all.values())
        .usingElementComparator(Arrays::compare)
        .isEqualTo(stored.stream().map(LogContents.Stored::value).toList());
  }

  @Test
  void aSilentActiveMemberIsEvictedAfterItsSessionTimeoutAndTheStandbyTakesOver() throws Exception {
    try (Node node = Node.start(NodeConfig.builder().dataDir(dir).port(0).build())) {
      String bootstrap = "127.0.0.1:" + node.address().getPort();
      try (RawClient silent = new RawClient(node.address())) {
        silent.hello();
        ByteBuf out = Unpooled.buffer();
        ReadMessages.writeJoinGroup(
            out, 5, new ReadMessages.JoinGroup("t", "stream:x", "silent", 300));
        silent.send(out);
        ByteBuf reply = silent.readFrame();
        assertThat(Frame.type(reply)).isEqualTo(MessageType.JOIN_GROUP_RESPONSE.code());
        Frame.skipHeader(reply);
        assertThat(ReadMessages.readJoinGroupResponse(reply).generation()).isEqualTo(1);
        GroupLog log = new GroupLog();
        try (Consumer standby =
            Consumer.builder()
                .bootstrapServers(bootstrap)
                .group("t")
                .memberId("standby")
                .sessionTimeoutMs(2_000)
                .commitPolicy(CommitPolicy.MANUAL)
                .build()) {
          standby.subscribe(StreamSelector.stream("x"), StartPosition.earliest(), log, log);
          // The silent member sends nothing: evicted after 300 ms, told so, and disconnected.
          ByteBuf evicted = silent.readFrame();
          assertThat(Frame.type(evicted)).isEqualTo(MessageType.ERROR.code());
          Frame.skipHeader(evicted);
          assertThat(Messages.readError(evicted).code()).isEqualTo(ErrorCode.STALE_GENERATION);
          Await.until("the standby took over", 10_000, () -> standby.generation() == 2);
          try (Producer p = Producer.builder().bootstrapServers(bootstrap).build()) {
            p.send("x", null, new byte[] {1}).get(10, TimeUnit.SECONDS);
          }
          Await.until("delivered to the new active member", 10_000, () -> log.size() == 1);
          standby.commit().get(10, TimeUnit.SECONDS);
          assertThat(log.maxAckedCommit()).isEqualTo(log.offsets().get(0) + 1);
        }
      }
    }
  }
}
