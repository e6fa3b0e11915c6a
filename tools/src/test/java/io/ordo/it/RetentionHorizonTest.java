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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer that falls behind the retention horizon, on a real node with 4 KiB segments and 16 KiB
 * of size retention: it subscribes from the earliest record, its handler blocks on the first record
 * (so it grants no credit) while producers write enough for retention to delete the segments it
 * still needs; when the handler resumes, the consumer stops with {@code OFFSET_OUT_OF_RANGE} naming
 * the retention horizon, and every record it did hand over is contiguous from the first one. A
 * consumer asking for an offset below the log start is refused at subscribe with the same error.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetentionHorizonTest {
  static final int RECORDS = 3_000;

  @TempDir Path dir;

  /** Collects records and the error that stopped a consumer; thread-safe. */
  private static final class Received implements ConsumerListener {
    final List<ConsumerRecord> records = new ArrayList<>();
    final AtomicReference<OrdoException> error = new AtomicReference<>();

    synchronized void add(ConsumerRecord r) {
      records.add(r);
    }

    synchronized List<ConsumerRecord> snapshot() {
      return new ArrayList<>(records);
    }

    @Override
    public void onError(OrdoException e) {
      error.set(e);
    }
  }

  private static long sequence(ConsumerRecord r) {
    return ByteBuffer.wrap(r.value()).order(ByteOrder.LITTLE_ENDIAN).getLong(8);
  }

  @Test
  void aConsumerBehindRetentionGetsAClearErrorAndNeverSkipsARecord() throws Exception {
    Random rnd = TestSeed.random(RetentionHorizonTest.class);
    NodeConfig config =
        NodeConfig.builder()
            .dataDir(dir)
            .port(0)
            .segmentBytes(4096)
            .retentionBytes(16 * 1024)
            .retentionCheckIntervalMs(20)
            .build();
    try (Node node = Node.start(config)) {
      String bootstrap = "127.0.0.1:" + node.address().getPort();
      CountDownLatch stalled = new CountDownLatch(1);
      CountDownLatch resume = new CountDownLatch(1);
      Received slow = new Received();
      try (Consumer consumer =
          Consumer.builder().bootstrapServers(bootstrap).creditBytes(1024).build()) {
        consumer.subscribe(
            StreamSelector.stream("r"),
            StartPosition.earliest(),
            r -> {
              slow.add(r);
              if (stalled.getCount() > 0) {
                stalled.countDown();
                resume.await();
              }
            },
            slow);

        List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
        try (Producer p =
            Producer.builder().bootstrapServers(bootstrap).batchSizeBytes(1024).build()) {
          for (int i = 0; i < RECORDS; i++) {
            acks.add(p.send("r", null, LogContents.value(0, i, 16 + rnd.nextInt(150))));
            if (i == 0) {
              p.flush();
              assertThat(stalled.await(10, TimeUnit.SECONDS)).as("handler got a record").isTrue();
            }
          }
          p.flush();
        }
        long half = acks.get(RECORDS / 2).get().offset();
        Await.until(
            "retention deleted the first half of the stream",
            20_000,
            () -> node.logStartOffset() > half);

        resume.countDown();
        Await.until("the consumer reported its error", 10_000, () -> slow.error.get() != null);
        OrdoException error = slow.error.get();
        System.out.printf(
            "log start %d, consumer handed %d of %d records, then: %s%n",
            node.logStartOffset(), slow.snapshot().size(), RECORDS, error);
        assertThat(error).isNotNull().isSameAs(consumer.failure());
        assertThat(error.errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
        assertThat(error.getMessage()).contains("retention horizon");

        List<ConsumerRecord> got = slow.snapshot();
        assertThat(got).isNotEmpty().hasSizeLessThan(RECORDS);
        for (int i = 0; i < got.size(); i++) {
          assertThat(sequence(got.get(i))).as("record %d handed over", i).isEqualTo(i);
          assertThat(got.get(i).offset()).isEqualTo(acks.get(i).get().offset());
        }
      }

      // Asking for an offset below the log start is refused when subscribing.
      Received late = new Received();
      try (Consumer consumer = Consumer.builder().bootstrapServers(bootstrap).build()) {
        consumer.subscribe(StreamSelector.stream("r"), StartPosition.offset(1), late::add, late);
        Await.until("the subscription refused", 10_000, () -> late.error.get() != null);
        assertThat(late.error.get().errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
        assertThat(late.error.get().getMessage())
            .contains("retention horizon")
            .contains("starts at " + node.logStartOffset());
        assertThat(late.snapshot()).isEmpty();
      }
    }
  }
}
