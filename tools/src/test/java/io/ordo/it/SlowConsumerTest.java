package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ordo.broker.server.Node;
import io.ordo.broker.server.NodeConfig;
import io.ordo.consumer.Consumer;
import io.ordo.consumer.StartPosition;
import io.ordo.consumer.StreamSelector;
import io.ordo.producer.Producer;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.MessageType;
import io.ordo.protocol.wire.ReadMessages;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow consumers cost the broker bounded memory: one that stops granting credit and one that
 * granted a lot but stops reading its socket stay connected while about 200 MB are pushed to other
 * consumers, and the broker's heap (this JVM, after System.gc()) does not grow with it. Also: a
 * subscription at an offset outside the log gets a clear error.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowConsumerTest {
  static final int VALUE_BYTES = 1000;
  static final int RECORDS = 40_000;
  static final int READERS = 5;

  @TempDir Path dir;

  private static long heapUsedAfterGc() {
    MemoryMXBean m = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return m.getHeapMemoryUsage().getUsed();
  }

  private static RawClient stalled(Node node, long credit) throws Exception {
    RawClient raw = new RawClient(node.address());
    raw.hello();
    ByteBuf out = Unpooled.buffer();
    ReadMessages.writeSubscribe(
        out,
        2,
        new ReadMessages.Subscribe(
            ReadMessages.FILTER_ALL, "", ReadMessages.START_EARLIEST, 0, credit, "", -1));
    raw.send(out);
    ByteBuf reply = raw.readFrame();
    assertThat(Frame.type(reply)).isEqualTo(MessageType.SUBSCRIBE_RESPONSE.code());
    return raw;
  }

  @Test
  void stalledConsumersDoNotGrowTheHeap() throws Exception {
    Random rnd = TestSeed.random(SlowConsumerTest.class);
    try (Node node = Node.start(NodeConfig.builder().dataDir(dir).port(0).build())) {
      String bootstrap = "127.0.0.1:" + node.address().getPort();
      try (RawClient noCredit = stalled(node, 64 * 1024);
          RawClient notReading = stalled(node, 1L << 36)) {
        long before = heapUsedAfterGc();
        byte[] value = new byte[VALUE_BYTES];
        rnd.nextBytes(value);
        try (Producer p = Producer.builder().bootstrapServers(bootstrap).build()) {
          for (int i = 0; i < RECORDS; i++) {
            p.send("bulk", null, value);
          }
          p.flush();
        }
        AtomicLong delivered = new AtomicLong();
        List<Consumer> readers = new ArrayList<>();
        try {
          for (int i = 0; i < READERS; i++) {
            Consumer c = Consumer.builder().bootstrapServers(bootstrap).build();
            c.subscribe(
                StreamSelector.stream("bulk"),
                StartPosition.earliest(),
                r -> delivered.addAndGet(r.value().length));
            readers.add(c);
          }
          long want = (long) READERS * RECORDS * VALUE_BYTES;
          Await.until("all readers done", 90_000, () -> delivered.get() == want);
        } finally {
          for (Consumer c : readers) {
            c.close();
          }
        }
        long after = heapUsedAfterGc();
        System.out.printf(
            "pushed %d MB to %d readers while 2 consumers stalled; heap used after GC %d MB ->"
                + " %d MB%n",
            delivered.get() >> 20, READERS, before >> 20, after >> 20);
        assertThat(after - before).as("heap growth in bytes").isLessThan(32L << 20);
        assertThat(noCredit.closedByPeer())
            .as("the credit-less consumer stays connected")
            .isFalse();
        assertThat(notReading).isNotNull();
      }

      // An offset outside the log is refused with a clear error.
      try (RawClient raw = new RawClient(node.address())) {
        raw.hello();
        ByteBuf out = Unpooled.buffer();
        ReadMessages.writeSubscribe(
            out,
            3,
            new ReadMessages.Subscribe(
                ReadMessages.FILTER_STREAM,
                "bulk",
                ReadMessages.START_OFFSET,
                Long.MAX_VALUE / 2,
                1024,
                "",
                -1));
        raw.send(out);
        ByteBuf reply = raw.readFrame();
        assertThat(Frame.type(reply)).isEqualTo(MessageType.ERROR.code());
        Frame.skipHeader(reply);
        assertThat(io.ordo.protocol.wire.Messages.readError(reply).code())
            .isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
      }
    }
  }
}
