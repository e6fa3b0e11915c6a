package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.producer.Producer;
import io.ordo.producer.RecordMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a node while producers are sending: after the restart every acknowledged record is in
 * the log exactly once at the offset it was acknowledged with, no record is stored twice (the
 * producers' retries are deduplicated by the sessions replayed from the log), and each producer's
 * records are in its send order.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CrashRestartTest {
  @TempDir Path dir;

  @Test
  void acknowledgedRecordsSurviveKillNineAndRetriesAreNotDuplicated() throws Exception {
    run(2, 100_000, 2);
  }

  /** The full size: 4 producers, 1,000,000 records, several kills. */
  @Test
  @Tag("slow")
  @Timeout(value = 900, unit = TimeUnit.SECONDS)
  void millionRecordsFromFourProducersSurviveRepeatedKillNine() throws Exception {
    run(4, 250_000, 4);
  }

  private void run(final int producerCount, final int records, final int killCount)
      throws Exception {
    Random rnd = TestSeed.random(CrashRestartTest.class);
    int port = NodeProcess.freePort();
    long[][] ackedOffsets = new long[producerCount][records];
    for (long[] a : ackedOffsets) {
      Arrays.fill(a, -1);
    }
    AtomicLong acked = new AtomicLong();
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    NodeProcess node = NodeProcess.start(dir, port);
    try {
      List<Producer> producers = new ArrayList<>();
      for (int p = 0; p < producerCount; p++) {
        producers.add(
            Producer.builder()
                .bootstrapServers("127.0.0.1:" + port)
                .producerName("crash-" + p)
                .retryBackoffMs(20, 200)
                .deliveryTimeoutMs(180_000)
                .build());
      }
      try {
        int kills = 0;
        long nextKillAt = records * producerCount / (killCount + 2) + rnd.nextInt(records / 10);
        for (int i = 0; i < records; i++) {
          for (int p = 0; p < producerCount; p++) {
            final int producer = p;
            final int seq = i;
            futures.add(
                producers
                    .get(p)
                    .send("s" + p, null, LogContents.value(p, i, 100))
                    .whenComplete(
                        (m, e) -> {
                          if (m != null) {
                            ackedOffsets[producer][seq] = m.offset();
                            acked.incrementAndGet();
                          }
                        }));
          }
          if (kills < killCount && acked.get() >= nextKillAt) {
            node.kill();
            System.out.println("killed the node at " + acked.get() + " acknowledged records");
            node = NodeProcess.start(dir, port);
            kills++;
            nextKillAt = acked.get() + records / 4 + rnd.nextInt(records / 10);
          }
          if (i % 5_000 == 0) {
            // Keep the producers' buffers from running far ahead of the node.
            futures.get(Math.max(0, futures.size() - 5_000)).get(120, TimeUnit.SECONDS);
          }
        }
        for (Producer p : producers) {
          p.flush();
        }
        assertThat(kills).as("the node was really killed").isEqualTo(killCount);
      } finally {
        for (Producer p : producers) {
          p.close();
        }
      }
    } finally {
      node.close();
    }
    for (CompletableFuture<RecordMetadata> f : futures) {
      assertThat(f).isDone();
    }

    List<LogContents.Stored> stored = LogContents.read(dir);
    Set<Long> seen = new HashSet<>();
    long[] lastSeq = new long[producerCount];
    Arrays.fill(lastSeq, -1);
    for (LogContents.Stored s : stored) {
      int p = (int) s.producer();
      long key = p * (long) records + s.sequence();
      assertThat(seen.add(key)).as("record %d/%d stored once", p, s.sequence()).isTrue();
      assertThat(s.sequence()).as("producer %d in send order", p).isGreaterThan(lastSeq[p]);
      lastSeq[p] = s.sequence();
      long ackedAt = ackedOffsets[p][(int) s.sequence()];
      if (ackedAt >= 0) {
        assertThat(s.offset()).isEqualTo(ackedAt);
      }
    }
    long missing = 0;
    for (int p = 0; p < producerCount; p++) {
      for (int i = 0; i < records; i++) {
        if (ackedOffsets[p][i] >= 0 && !seen.contains(p * (long) records + i)) {
          missing++;
        }
      }
    }
    assertThat(missing).as("acknowledged records missing after kill -9").isZero();
    assertThat(acked.get())
        .as("all records eventually acknowledged")
        .isEqualTo((long) records * producerCount);
  }
}
