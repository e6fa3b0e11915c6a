package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ordo.broker.server.Node;
import io.ordo.broker.server.NodeConfig;
import io.ordo.consumer.Admin;
import io.ordo.consumer.Consumer;
import io.ordo.consumer.ConsumerListener;
import io.ordo.consumer.RecordHandler;
import io.ordo.consumer.StartPosition;
import io.ordo.consumer.StreamSelector;
import io.ordo.producer.Producer;
import io.ordo.producer.RecordMetadata;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.MessageType;
import io.ordo.protocol.wire.ReadMessages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group member whose handler hangs while its heartbeats keep its session alive gives up its
 * membership after {@code maxHandlerMs} (Kafka's {@code max.poll.interval.ms}): on a real node, the
 * standby takes over long before the session timeout and handles every record from the committed
 * offset; when the hung call returns, its commit is refused, it is handed nothing more from the old
 * generation, and it rejoins as a standby that later takes over again. The group's state (kept with
 * its offsets, {@link GroupLog}) ends with every record exactly once, in log order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HungHandlerTest {
  static final int RECORDS = 2_000;
  static final int SESSION_TIMEOUT_MS = 10_000;
  static final long MAX_HANDLER_MS = 500;

  @TempDir Path dir;

  private static List<RecordMetadata> produce(String bootstrap, int from, int count, Random rnd)
      throws Exception {
    List<CompletableFuture<RecordMetadata>> fs = new ArrayList<>();
    try (Producer p = Producer.builder().bootstrapServers(bootstrap).batchSizeBytes(4096).build()) {
      for (int i = from; i < from + count; i++) {
        fs.add(p.send("h", null, LogContents.value(0, i, 16 + rnd.nextInt(100))));
      }
      List<RecordMetadata> out = new ArrayList<>();
      for (CompletableFuture<RecordMetadata> f : fs) {
        out.add(f.get(30, TimeUnit.SECONDS));
      }
      return out;
    }
  }

  private static Consumer member(String bootstrap, String id) {
    return Consumer.builder()
        .bootstrapServers(bootstrap)
        .group("g")
        .memberId(id)
        .sessionTimeoutMs(SESSION_TIMEOUT_MS)
        .commitIntervalMs(20)
        .maxHandlerMs(MAX_HANDLER_MS)
        .build();
  }

  private static ReadMessages.GroupInfo describe(Admin admin) {
    try {
      return admin.describeGroups("g").groups().get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aHungActiveMemberGivesUpAndTheStandbyTakesOverFromTheCommittedOffset() throws Exception {
    Random rnd = TestSeed.random(HungHandlerTest.class);
    GroupLog group = new GroupLog(); // the application's state, shared by both members
    List<Long> expected = new ArrayList<>();
    try (Node node = Node.start(NodeConfig.builder().dataDir(dir).port(0).build());
        Admin admin = Admin.connect("127.0.0.1:" + node.address().getPort())) {
      String bootstrap = "127.0.0.1:" + node.address().getPort();
      List<RecordMetadata> acks = produce(bootstrap, 0, RECORDS, rnd);
      acks.forEach(m -> expected.add(m.offset()));
      long hangOffset = acks.get(RECORDS / 4 + rnd.nextInt(RECORDS / 2)).offset();

      CountDownLatch hung = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<CompletableFuture<Void>> lateCommit = new CompletableFuture<>();
      AtomicReference<long[]> timedOut = new AtomicReference<>();
      AtomicBoolean watchingA = new AtomicBoolean(true);
      List<Long> handedToAAfterHang = Collections.synchronizedList(new ArrayList<>());
      Consumer b = member(bootstrap, "b");
      try (Consumer a = member(bootstrap, "a")) {
        RecordHandler aHandler =
            r -> {
              if (hung.getCount() == 0 && watchingA.get()) {
                handedToAAfterHang.add(r.offset());
              }
              if (r.offset() == hangOffset && hung.getCount() > 0) {
                hung.countDown();
                release.await(30, TimeUnit.SECONDS);
                // The application applies a record together with its commit; refused, so dropped.
                lateCommit.complete(a.commit(r.offset() + 1));
                return;
              }
              group.handle(r);
            };
        ConsumerListener aListener =
            new ConsumerListener() {
              @Override
              public void onActive(int generation, long resumeOffset) {
                group.onActive(generation, resumeOffset);
              }

              @Override
              public void onCommitted(long offset) {
                group.onCommitted(offset);
              }

              @Override
              public void onHandlerTimeout(int generation, long offset, long elapsedMs) {
                timedOut.set(new long[] {generation, offset, elapsedMs});
              }
            };
        a.subscribe(StreamSelector.stream("h"), StartPosition.earliest(), aHandler, aListener);
        Await.until("a active", 10_000, () -> a.generation() == 1);
        List<Long> bResumedAt = Collections.synchronizedList(new ArrayList<>());
        ConsumerListener bListener =
            new ConsumerListener() {
              @Override
              public void onActive(int generation, long resumeOffset) {
                bResumedAt.add(resumeOffset);
                group.onActive(generation, resumeOffset);
              }

              @Override
              public void onCommitted(long offset) {
                group.onCommitted(offset);
              }
            };
        b.subscribe(StreamSelector.stream("h"), StartPosition.earliest(), group, bListener);
        Await.until("b stands by", 10_000, () -> describe(admin).standbys() == 1);

        assertThat(hung.await(20, TimeUnit.SECONDS)).as("a's handler hung").isTrue();
        long hungAtNs = System.nanoTime();
        Await.until("a gave up", 10_000, () -> timedOut.get() != null);
        Await.until("b took over", 10_000, () -> b.generation() == 2);
        long takeoverMs = (System.nanoTime() - hungAtNs) / 1_000_000;
        System.out.printf(
            "handler hung at offset %d; a gave up after %d ms; b active %d ms after the hang%n",
            hangOffset, timedOut.get()[2], takeoverMs);
        assertThat(timedOut.get()[0]).isEqualTo(1);
        assertThat(timedOut.get()[1]).isEqualTo(hangOffset);
        assertThat(timedOut.get()[2]).isGreaterThanOrEqualTo(MAX_HANDLER_MS);
        assertThat(takeoverMs).as("took over before any session timeout").isLessThan(5_000);
        Await.until("b handled the rest", 20_000, () -> group.size() == RECORDS);
        assertThat(bResumedAt).hasSize(1);
        assertThat(bResumedAt.get(0))
            .as("b resumed at or before the hung record")
            .isLessThanOrEqualTo(hangOffset);

        // The hung call returns: its commit is refused, and nothing more goes to a.
        release.countDown();
        CompletableFuture<Void> late = lateCommit.get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(OrdoException.class)
            .satisfies(
                e ->
                    assertThat(((OrdoException) e).errorCode())
                        .isEqualTo(ErrorCode.STALE_GENERATION));
        // The broker fences generation 1 too, whoever sends it.
        try (RawClient raw = new RawClient(node.address())) {
          raw.hello();
          ByteBuf out = Unpooled.buffer();
          ReadMessages.writeCommitOffset(
              out, 9, new ReadMessages.CommitOffset("g", "stream:h", 1, hangOffset + 1));
          raw.send(out);
          ByteBuf reply = raw.readFrame();
          assertThat(Frame.type(reply)).isEqualTo(MessageType.COMMIT_OFFSET_RESPONSE.code());
          Frame.skipHeader(reply);
          assertThat(ReadMessages.readCommitOffsetResponse(reply))
              .isEqualTo(ErrorCode.STALE_GENERATION);
        }
        Await.until("a rejoined as a standby", 10_000, () -> describe(admin).standbys() == 1);
        assertThat(describe(admin).activeMember()).isEqualTo("b");
        assertThat(a.failure()).isNull();

        List<RecordMetadata> more = produce(bootstrap, RECORDS, 20, rnd);
        more.forEach(m -> expected.add(m.offset()));
        Await.until("b handled 20 more", 10_000, () -> group.size() == RECORDS + 20);
        watchingA.set(false);
        assertThat(handedToAAfterHang).as("records handed to a after it gave up").isEmpty();

        // b leaves cleanly (final commit); a takes over again from b's commit.
        b.close();
        Await.until("a active again", 10_000, () -> a.generation() == 3);
        List<RecordMetadata> last = produce(bootstrap, RECORDS + 20, 20, rnd);
        last.forEach(m -> expected.add(m.offset()));
        Await.until("a handled the last 20", 10_000, () -> group.size() == RECORDS + 40);
      } finally {
        b.close();
      }
    }
    assertThat(group.violation()).isNull();
    assertThat(group.offsets()).isEqualTo(expected);
    assertThat(group.activations()).isEqualTo(3);
  }
}
