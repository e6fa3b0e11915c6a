package io.ordo.producer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.Compression;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random rounds: several sender threads, random producer settings, random faults injected by
 * the {@link FakeBroker} (a test fake) on random requests, and some batches the broker refuses for
 * good. After each round: every record of a good stream is stored exactly once, in its send order,
 * at the offset its future reported; every refused record failed and is absent.
 */
class ProducerFaultsRandomTest {
  private static final long SEED = TestSupport.seed(ProducerFaultsRandomTest.class);
  private static final ErrorCode[] RETRIABLE = {
    ErrorCode.NOT_LEADER,
    ErrorCode.REQUEST_TIMED_OUT,
    ErrorCode.BROKER_UNAVAILABLE,
    ErrorCode.STORAGE_ERROR,
    ErrorCode.THROTTLED
  };

  @Test
  @Timeout(120)
  void survivesRandomFaults() throws Exception {
    for (int round = 0; round < 6; round++) {
      runRound(new Random(SEED + round), 1_500);
    }
  }

  @Test
  @Tag("slow")
  @Timeout(1800)
  void survivesManyRandomFaults() throws Exception {
    for (int round = 0; round < 200; round++) {
      runRound(new Random(SEED + round), 5_000);
    }
  }

  private record Sent(String stream, String value, CompletableFuture<RecordMetadata> future) {}

  private static void runRound(Random rnd, int recordsPerThread) throws Exception {
    try (FakeBroker broker = FakeBroker.start()) {
      for (int k = rnd.nextInt(6); k > 0; k--) {
        int request = 1 + rnd.nextInt(60);
        switch (rnd.nextInt(3)) {
          case 0 -> broker.dropResponseAndClose(request);
          case 1 -> broker.failRequest(request, RETRIABLE[rnd.nextInt(RETRIABLE.length)]);
          default -> broker.swallowResponse(request);
        }
      }
      Producer.Builder b =
          Producer.builder()
              .bootstrapServers(broker.address())
              .retryBackoffMs(1, 20)
              .requestTimeoutMs(300)
              .batchSizeBytes(1024 + rnd.nextInt(8 * 1024))
              .lingerMs(rnd.nextInt(3))
              .maxInFlightBatches(1 + rnd.nextInt(64))
              .compression(rnd.nextBoolean() ? Compression.ZSTD : Compression.NONE)
              .zstdLevel(rnd.nextBoolean() ? 1 : 3)
              .crossStreamOrder(rnd.nextInt(4) == 0);
      if (rnd.nextBoolean()) {
        b.producerName("random-" + rnd.nextInt(3));
      }
      int threads = 1 + rnd.nextInt(3);
      List<List<Sent>> sent = new ArrayList<>();
      long[] threadSeeds = new long[threads];
      for (int t = 0; t < threads; t++) {
        threadSeeds[t] = rnd.nextLong();
        sent.add(new ArrayList<>());
      }
      String settings = b.config().toString();
      int sequenceLimit = rnd.nextBoolean() ? Integer.MAX_VALUE : 1_000 + rnd.nextInt(3_000);
      settings += " sequenceLimit=" + sequenceLimit;
      try (Producer p = new Producer(b.config(), sequenceLimit)) {
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          Thread sender =
              new Thread(
                  () -> {
                    Random r = new Random(threadSeeds[thread]);
                    for (int i = 0; i < recordsPerThread; i++) {
                      String stream =
                          r.nextInt(200) == 0
                              ? "poison-" + thread
                              : "t" + thread + "-" + r.nextInt(3);
                      String value = stream + "/" + i + "/" + "v".repeat(r.nextInt(150));
                      sent.get(thread)
                          .add(
                              new Sent(stream, value, p.send(stream, null, value.getBytes(UTF_8))));
                    }
                  },
                  "random-sender-" + t);
          senders.add(sender);
          sender.start();
        }
        for (Thread s : senders) {
          s.join(TimeUnit.SECONDS.toMillis(60));
          assertThat(s.isAlive()).isFalse();
        }
        check(broker, sent, p.config().crossStreamOrder(), settings);
      }
    }
  }

  private static void check(
      FakeBroker broker, List<List<Sent>> sent, boolean crossStreamOrder, String settings)
      throws Exception {
    Map<String, List<String>> expected = new HashMap<>();
    for (List<Sent> perThread : sent) {
      for (Sent s : perThread) {
        try {
          RecordMetadata m = s.future().get(60, TimeUnit.SECONDS);
          assertThat(s.stream()).as(settings).doesNotStartWith("poison");
          assertThat(m.stream()).isEqualTo(s.stream());
          expected.computeIfAbsent(s.stream(), k -> new ArrayList<>()).add(s.value());
        } catch (ExecutionException e) {
          assertThat(s.stream())
              .as("%s failed: %s (%s)", s.value(), e.getCause(), settings)
              .startsWith("poison");
          assertThat(((OrdoException) e.getCause()).errorCode()).isEqualTo(ErrorCode.INVALID_BATCH);
        }
      }
    }
    List<FakeBroker.StoredRecord> log = broker.records();
    Map<String, List<String>> stored = new HashMap<>();
    Map<String, Long> offsetOf = new HashMap<>();
    for (FakeBroker.StoredRecord r : log) {
      String v = new String(r.value(), UTF_8);
      stored.computeIfAbsent(r.stream(), k -> new ArrayList<>()).add(v);
      assertThat(offsetOf.put(v, r.offset())).as("%s stored twice (%s)", v, settings).isNull();
    }
    assertThat(stored).as(settings).isEqualTo(expected);
    for (List<Sent> perThread : sent) {
      for (Sent s : perThread) {
        if (s.future().isCompletedExceptionally()) {
          assertThat(offsetOf).doesNotContainKey(s.value());
        } else {
          assertThat(s.future().join().offset()).isEqualTo(offsetOf.get(s.value()));
        }
      }
    }
    if (crossStreamOrder) {
      for (List<Sent> perThread : sent) {
        List<Long> offsets = new ArrayList<>();
        for (Sent s : perThread) {
          if (!s.future().isCompletedExceptionally()) {
            offsets.add(s.future().join().offset());
          }
        }
        assertThat(offsets).as("one thread's records across streams (%s)", settings).isSorted();
      }
    }
  }
}
