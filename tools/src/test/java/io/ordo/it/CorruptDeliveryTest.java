package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.server.Node;
import io.ordo.broker.server.NodeConfig;
import io.ordo.consumer.Consumer;
import io.ordo.consumer.ConsumerListener;
import io.ordo.consumer.ConsumerRecord;
import io.ordo.consumer.StartPosition;
import io.ordo.consumer.StreamSelector;
import io.ordo.producer.Producer;
import io.ordo.producer.RecordMetadata;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.RecordBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bit flipped between broker and client, inside a delivered batch (a proxy damages one random bit
 * of one random batch of the nth DELIVERY frame): the consumer library's CRC check catches it, the
 * consumer stops with {@code CORRUPT_BATCH} through {@link ConsumerListener#onError} (as Kafka's
 * consumer raises {@code CorruptRecordException}), no record of the damaged batch or after it
 * reaches the handler, and every record before it does, intact. A consumer straight to the node
 * reads the whole stream: the log itself was never damaged.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CorruptDeliveryTest {
  static final int RECORDS = 2_000;

  @TempDir Path dir;

  /** What a consumer handed over and the error that stopped it; thread-safe. */
  private static final class Received implements ConsumerListener {
    private final List<ConsumerRecord> records = new ArrayList<>();
    final AtomicReference<OrdoException> error = new AtomicReference<>();

    synchronized void add(ConsumerRecord r) {
      records.add(r);
    }

    synchronized List<ConsumerRecord> snapshot() {
      return new ArrayList<>(records);
    }

    synchronized int size() {
      return records.size();
    }

    @Override
    public void onError(OrdoException e) {
      error.set(e);
    }
  }

  @Test
  void aBitFlippedInTransitIsCaughtAndNoDamagedRecordReachesTheHandler() throws Exception {
    Random rnd = TestSeed.random(CorruptDeliveryTest.class);
    try (Node node = Node.start(NodeConfig.builder().dataDir(dir).port(0).build())) {
      String bootstrap = "127.0.0.1:" + node.address().getPort();
      List<byte[]> values = new ArrayList<>();
      List<Long> offsets = new ArrayList<>();
      try (Producer p =
          Producer.builder().bootstrapServers(bootstrap).batchSizeBytes(1024).build()) {
        List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
          byte[] v = LogContents.value(0, i, 16 + rnd.nextInt(100));
          values.add(v);
          acks.add(p.send("c", null, v));
        }
        for (CompletableFuture<RecordMetadata> f : acks) {
          offsets.add(f.get(30, TimeUnit.SECONDS).offset());
        }
      }

      // The length field, the leader's header, the producer's part: each is caught.
      int[][] regions = {
        {0, 4}, {4, RecordBatch.PRODUCER_ID_OFFSET}, {RecordBatch.PRODUCER_ID_OFFSET, 1 << 20}
      };
      for (int round = 0; round < 6; round++) {
        int[] region = regions[round % regions.length];
        DeliveryBitFlip flip = new DeliveryBitFlip(1 + rnd.nextInt(20), rnd, region[0], region[1]);
        Received damaged = new Received();
        try (FrameProxy proxy = new FrameProxy(node.address(), flip);
            Consumer consumer =
                Consumer.builder()
                    .bootstrapServers("127.0.0.1:" + proxy.port())
                    .creditBytes(4096)
                    .build()) {
          consumer.subscribe(
              StreamSelector.stream("c"), StartPosition.earliest(), damaged::add, damaged);
          Await.until("the consumer reported an error", 20_000, () -> damaged.error.get() != null);
          DeliveryBitFlip.Damage d = flip.damage();
          OrdoException error = damaged.error.get();
          System.out.printf(
              "flipped bit %d of byte %d in the batch at offset %d (%d records); handed %d"
                  + " records; %s%n",
              d.bit(), d.byteInBatch(), d.baseOffset(), d.recordCount(), damaged.size(), error);
          assertThat(error.errorCode()).isEqualTo(ErrorCode.CORRUPT_BATCH);
          assertThat(error.getMessage()).contains("none of its records was handed over");
          assertThat(consumer.failure()).isSameAs(error);

          List<ConsumerRecord> got = damaged.snapshot();
          int before = (int) offsets.stream().filter(o -> o < d.baseOffset()).count();
          assertThat(got).as("every record before the damaged batch, none after").hasSize(before);
          for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i).offset()).isEqualTo(offsets.get(i));
            assertThat(got.get(i).stream()).isEqualTo("c");
            assertThat(got.get(i).value()).isEqualTo(values.get(i));
          }
        }
      }

      Received direct = new Received();
      try (Consumer consumer = Consumer.builder().bootstrapServers(bootstrap).build()) {
        consumer.subscribe(
            StreamSelector.stream("c"), StartPosition.earliest(), direct::add, direct);
        Await.until("read straight from the node", 20_000, () -> direct.size() == RECORDS);
        assertThat(direct.error.get()).isNull();
        List<ConsumerRecord> all = direct.snapshot();
        for (int i = 0; i < RECORDS; i++) {
          assertThat(all.get(i).offset()).isEqualTo(offsets.get(i));
          assertThat(all.get(i).value()).isEqualTo(values.get(i));
        }
      }
    }
  }
}
