package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.server.Node;
import io.ordo.broker.server.NodeConfig;
import io.ordo.producer.Producer;
import io.ordo.producer.RecordMetadata;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.Compression;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write path end to end: a real node on 127.0.0.1 and the real producer library, several
 * producers at once, then the log read back from disk.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WritePathTest {
  static final int PRODUCERS = 4;
  static final int RECORDS_PER_PRODUCER = 250_000;
  static final int VALUE_BYTES = 64;

  @TempDir Path dir;

  @Test
  void fourProducersMillionRecordsEachStoredOnceInSendOrder() throws Exception {
    Random seeds = TestSeed.random(WritePathTest.class);
    long[][] offsets = new long[PRODUCERS][RECORDS_PER_PRODUCER];
    try (Node node = Node.start(NodeConfig.builder().dataDir(dir).port(0).build())) {
      String bootstrap = "127.0.0.1:" + node.address().getPort();
      List<Thread> threads = new ArrayList<>();
      List<Throwable> errors = new ArrayList<>();
      for (int p = 0; p < PRODUCERS; p++) {
        final int producer = p;
        final long seed = seeds.nextLong();
        Thread t =
            new Thread(
                () -> {
                  try {
                    produce(bootstrap, producer, new Random(seed), offsets[producer]);
                  } catch (Throwable e) {
                    synchronized (errors) {
                      errors.add(e);
                    }
                  }
                },
                "test-producer-" + p);
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      assertThat(errors).isEmpty();
    }

    long[] all = Arrays.stream(offsets).flatMapToLong(Arrays::stream).sorted().toArray();
    for (int i = 1; i < all.length; i++) {
      assertThat(all[i]).as("offsets are distinct").isNotEqualTo(all[i - 1]);
    }
    List<LogContents.Stored> stored = LogContents.read(dir);
    assertThat(stored).hasSize(PRODUCERS * RECORDS_PER_PRODUCER);
    long[] next = new long[PRODUCERS];
    for (LogContents.Stored s : stored) {
      int p = (int) s.producer();
      assertThat(s.sequence())
          .as("producer %d's records in send order, once", p)
          .isEqualTo(next[p]);
      assertThat(s.offset()).isEqualTo(offsets[p][(int) s.sequence()]);
      next[p]++;
    }
  }

  private static void produce(String bootstrap, int producer, Random rnd, long[] offsets)
      throws Exception {
    try (Producer p =
        Producer.builder()
            .bootstrapServers(bootstrap)
            .producerName("writer-" + producer)
            .crossStreamOrder(true)
            .build()) {
      List<CompletableFuture<RecordMetadata>> window = new ArrayList<>();
      String stream = "s0";
      for (int i = 0; i < RECORDS_PER_PRODUCER; i++) {
        if (rnd.nextInt(200) == 0) {
          stream = "s" + rnd.nextInt(4);
        }
        final int seq = i;
        window.add(
            p.send(stream, null, LogContents.value(producer, i, VALUE_BYTES))
                .whenComplete(
                    (m, e) -> {
                      if (m != null) {
                        offsets[seq] = m.offset();
                      }
                    }));
        if (window.size() == 10_000) {
          drain(window);
        }
      }
      drain(window);
    }
  }

  private static void drain(List<CompletableFuture<RecordMetadata>> window)
      throws InterruptedException, ExecutionException {
    for (CompletableFuture<RecordMetadata> f : window) {
      f.get();
    }
    window.clear();
  }

  @Test
  void aNewerInstanceOfANamedProducerFencesTheOlder() throws Exception {
    try (Node node = Node.start(NodeConfig.builder().dataDir(dir).port(0).build());
        Producer old =
            Producer.builder()
                .bootstrapServers("127.0.0.1:" + node.address().getPort())
                .producerName("fenced")
                .build()) {
      RecordMetadata first = old.sendAndWait("s", null, new byte[] {1});
      try (Producer newer =
          Producer.builder()
              .bootstrapServers("127.0.0.1:" + node.address().getPort())
              .producerName("fenced")
              .build()) {
        RecordMetadata second = newer.sendAndWait("s", null, new byte[] {2});
        assertThat(second.offset()).isGreaterThan(first.offset());
        CompletableFuture<RecordMetadata> stale = old.send("s", null, new byte[] {3});
        assertThat(stale)
            .failsWithin(30, TimeUnit.SECONDS)
            .withThrowableOfType(ExecutionException.class)
            .havingRootCause()
            .isInstanceOfSatisfying(
                OrdoException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.PRODUCER_FENCED));
        assertThat(newer.sendAndWait("s", null, new byte[] {4}).streamVersion()).isEqualTo(2);
      }
    }
    List<LogContents.Stored> stored = LogContents.read(dir);
    assertThat(stored).extracting(s -> s.value()[0]).containsExactly((byte) 1, (byte) 2, (byte) 4);
  }

  @Test
  void zstdBatchesOfHighlyCompressibleRecordsAreStored() throws Exception {
    int records = 20_000;
    try (Node node = Node.start(NodeConfig.builder().dataDir(dir).port(0).build());
        Producer p =
            Producer.builder()
                .bootstrapServers("127.0.0.1:" + node.address().getPort())
                .compression(Compression.ZSTD)
                .batchSizeBytes(256 * 1024)
                .build()) {
      CompletableFuture<RecordMetadata> last = null;
      for (int i = 0; i < records; i++) {
        last = p.send("z", null, LogContents.value(0, i, 16));
      }
      assertThat(last.get(60, TimeUnit.SECONDS).offset()).isEqualTo(records);
    }
    List<LogContents.Stored> stored = LogContents.read(dir);
    assertThat(stored).hasSize(records);
    assertThat(stored.get(records - 1).sequence()).isEqualTo(records - 1);
  }
}
