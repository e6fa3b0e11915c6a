package io.ordo.producer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.Header;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.wire.MessageType;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The producer against the {@link FakeBroker} (a test fake, not the real broker). */
@Timeout(60)
class ProducerTest {
  private static final int CLOSES_FROM_CALLBACKS = 100;
  private static final long SEED = TestSupport.seed(ProducerTest.class);
  private static final Duration WAIT = Duration.ofSeconds(30);

  private FakeBroker broker;
  private final List<Producer> producers = new ArrayList<>();

  @BeforeEach
  void startBroker() {
    broker = FakeBroker.start();
  }

  @AfterEach
  void stopAll() {
    producers.forEach(Producer::close);
    broker.close();
    TestSupport.assertNoProducerThreads();
  }

  private Producer.Builder builder() {
    return Producer.builder().bootstrapServers(broker.address()).retryBackoffMs(5, 50);
  }

  private Producer open(Producer.Builder b) {
    Producer p = b.build();
    producers.add(p);
    return p;
  }

  /**
   * Waits until the producer has asked for its session, so that a test with a short delivery
   * timeout does not count the first connection's setup (slow in a cold JVM) against it.
   */
  private void awaitSession() {
    TestSupport.await("the producer initialises", WAIT, () -> broker.initRequests() >= 1);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static String padded(String s, int length) {
    return s + "x".repeat(Math.max(0, length - s.length()));
  }

  private static ErrorCode codeOf(Throwable t) {
    Throwable c = t;
    while (c != null && !(c instanceof OrdoException)) {
      c = c.getCause();
    }
    return c == null ? null : ((OrdoException) c).errorCode();
  }

  private static ErrorCode failureCode(CompletableFuture<?> f) {
    assertThat(f).failsWithin(WAIT);
    try {
      f.join();
      throw new AssertionError("not failed");
    } catch (CompletionException e) {
      return codeOf(e.getCause());
    }
  }

  /**
   * The fake's log holds exactly the sent values, each once, per stream in send order, at the
   * offsets and stream versions the futures reported.
   */
  private void assertStoredExactlyOnce(
      List<String> streams, List<String> values, List<CompletableFuture<RecordMetadata>> fs)
      throws Exception {
    CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
    List<FakeBroker.StoredRecord> log = broker.records();
    assertThat(log).hasSize(values.size());
    Map<Long, FakeBroker.StoredRecord> byOffset = new HashMap<>();
    Map<String, List<String>> logPerStream = new HashMap<>();
    for (FakeBroker.StoredRecord r : log) {
      byOffset.put(r.offset(), r);
      logPerStream
          .computeIfAbsent(r.stream(), k -> new ArrayList<>())
          .add(new String(r.value(), UTF_8));
    }
    Map<String, List<String>> sentPerStream = new HashMap<>();
    Map<String, Long> lastOffset = new HashMap<>();
    for (int i = 0; i < values.size(); i++) {
      String stream = streams.get(i);
      sentPerStream.computeIfAbsent(stream, k -> new ArrayList<>()).add(values.get(i));
      RecordMetadata m = fs.get(i).get();
      assertThat(m.stream()).isEqualTo(stream);
      FakeBroker.StoredRecord stored = byOffset.get(m.offset());
      assertThat(stored).as("record at offset %d", m.offset()).isNotNull();
      assertThat(new String(stored.value(), UTF_8)).isEqualTo(values.get(i));
      assertThat(stored.streamVersion()).isEqualTo(m.streamVersion());
      Long last = lastOffset.put(stream, m.offset());
      if (last != null) {
        assertThat(m.offset())
            .as("offsets of stream %s increase in send order", stream)
            .isGreaterThan(last);
      }
    }
    assertThat(logPerStream).isEqualTo(sentPerStream);
  }

  // ---------------------------------------------------------------- ordering and batching

  @Test
  void everyRecordIsStoredOnceWithIncreasingOffsetsInSendOrder() throws Exception {
    Random rnd = new Random(SEED);
    Producer p = open(builder().batchSizeBytes(4096).lingerMs(1));
    String[] names = {"orders", "payments", "users"};
    List<String> streams = new ArrayList<>();
    List<String> values = new ArrayList<>();
    List<CompletableFuture<RecordMetadata>> fs = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      String stream = names[rnd.nextInt(names.length)];
      String value = padded("v" + i + "-", rnd.nextInt(200));
      Header[] headers =
          rnd.nextInt(10) == 0 ? new Header[] {new Header("h", bytes("" + i))} : new Header[0];
      streams.add(stream);
      values.add(value);
      fs.add(p.send(stream, rnd.nextBoolean() ? null : bytes("k" + i), bytes(value), headers));
      if (rnd.nextInt(1000) == 0) {
        p.flush();
      }
    }
    assertStoredExactlyOnce(streams, values, fs);
    Map<String, Long> nextVersion = new HashMap<>();
    for (CompletableFuture<RecordMetadata> f : fs) {
      RecordMetadata m = f.get();
      long expected = nextVersion.getOrDefault(m.stream(), 0L);
      assertThat(m.streamVersion()).isEqualTo(expected);
      nextVersion.put(m.stream(), expected + 1);
    }
    assertThat(fs.stream().map(f -> f.join().offset()).distinct().count()).isEqualTo(fs.size());
  }

  @Test
  void sealsABatchWhenItIsFullWithoutWaitingForLinger() throws Exception {
    Producer p =
        open(builder().batchSizeBytes(1024).lingerMs(600_000).deliveryTimeoutMs(1_200_000));
    List<CompletableFuture<RecordMetadata>> fs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      fs.add(p.send("s", null, bytes(padded("r" + i, 100))));
    }
    assertThat(fs.get(0)).succeedsWithin(WAIT);
    assertThat(fs.get(39)).as("the last, partial batch lingers").isNotDone();
    p.flush();
    assertThat(fs).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    List<FakeBroker.StoredBatch> batches = broker.batches();
    int recordBytes = encodedSize(new byte[100]);
    assertThat(batches).hasSizeGreaterThan(3);
    for (int i = 0; i < batches.size(); i++) {
      FakeBroker.StoredBatch b = batches.get(i);
      assertThat(b.lengthBytes()).isLessThanOrEqualTo(1024);
      if (i < batches.size() - 1) {
        assertThat(b.lengthBytes() + recordBytes).as("batch %d was full", i).isGreaterThan(1024);
      }
    }
    assertThat(batches.stream().mapToInt(FakeBroker.StoredBatch::recordCount).sum()).isEqualTo(40);
  }

  @Test
  void lingerSendsAPartialBatchWithoutFlush() {
    Producer p = open(builder().lingerMs(20));
    assertThat(p.send("s", null, bytes("one"))).succeedsWithin(WAIT);
  }

  @Test
  void flushSendsAtOnceDespiteALongLinger() throws Exception {
    Producer p = open(builder().lingerMs(600_000).deliveryTimeoutMs(1_200_000));
    List<CompletableFuture<RecordMetadata>> fs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      fs.add(p.send("s", null, bytes("r" + i)));
    }
    assertThat(fs).noneMatch(CompletableFuture::isDone);
    p.flush();
    assertThat(fs).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThat(broker.batches())
        .singleElement()
        .extracting(FakeBroker.StoredBatch::recordCount)
        .isEqualTo(3);
  }

  @Test
  void crossStreamOrderKeepsTheSendOrderInTheLog() throws Exception {
    Random rnd = new Random(SEED);
    Producer p = open(builder().crossStreamOrder(true).lingerMs(5));
    List<String> sent = new ArrayList<>();
    List<CompletableFuture<RecordMetadata>> fs = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      String v = "v" + i;
      sent.add(v);
      fs.add(p.send("s" + rnd.nextInt(3), null, bytes(v)));
    }
    p.flush();
    assertThat(fs).allMatch(f -> !f.isCompletedExceptionally());
    assertThat(broker.records())
        .extracting(r -> new String(r.value(), UTF_8))
        .containsExactlyElementsOf(sent);
  }

  @Test
  void compressesBatchesWithZstd() throws Exception {
    Producer p =
        open(
            builder().compression(Compression.ZSTD).lingerMs(600_000).deliveryTimeoutMs(1_200_000));
    List<String> streams = new ArrayList<>();
    List<String> values = new ArrayList<>();
    List<CompletableFuture<RecordMetadata>> fs = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      String v = padded("compressible " + i + " ", 150);
      streams.add("z");
      values.add(v);
      fs.add(p.send("z", null, bytes(v)));
    }
    p.flush();
    assertStoredExactlyOnce(streams, values, fs);
    assertThat(broker.batches()).allMatch(b -> b.compression() == Compression.ZSTD);
  }

  @Test
  void worksWithoutIdempotence() throws Exception {
    Producer p = open(builder().idempotence(false).maxInFlightBatches(200).batchSizeBytes(1024));
    List<String> streams = new ArrayList<>();
    List<String> values = new ArrayList<>();
    List<CompletableFuture<RecordMetadata>> fs = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      streams.add("s");
      values.add("v" + i);
      fs.add(p.send("s", null, bytes("v" + i)));
    }
    assertStoredExactlyOnce(streams, values, fs);
    assertThat(broker.batches())
        .allMatch(
            b ->
                b.producerId() == RecordBatch.NO_PRODUCER_ID
                    && b.baseSequence() == RecordBatch.NO_SEQUENCE);
    assertThat(broker.initRequests()).isZero();
  }

  // ---------------------------------------------------------------- retries

  @Test
  void aDroppedResponseIsRetriedAndStoredOnce() throws Exception {
    broker.dropResponseAndClose(2).dropResponseAndClose(5).dropResponseAndClose(6);
    sendAndCheckExactlyOnce(open(builder().batchSizeBytes(1024).lingerMs(0)), 3_000);
    assertThat(broker.initRequests()).isEqualTo(1);
  }

  @Test
  void retriableErrorsAreRetriedWithTheSameSequences() throws Exception {
    broker
        .failRequest(2, ErrorCode.NOT_LEADER)
        .failRequest(4, ErrorCode.STORAGE_ERROR)
        .failRequest(5, ErrorCode.THROTTLED);
    sendAndCheckExactlyOnce(open(builder().batchSizeBytes(1024).lingerMs(0)), 3_000);
    assertThat(broker.initRequests()).isEqualTo(1);
  }

  @Test
  void slowResponsesArePipelinedAndMatchedInOrder() throws Exception {
    broker.responseDelayMs(30);
    sendAndCheckExactlyOnce(
        open(builder().batchSizeBytes(1024).lingerMs(0).maxInFlightBatches(64)), 1_000);
  }

  @Test
  void aSilentBrokerIsLeftAfterTheRequestTimeoutAndRequestsAreResent() throws Exception {
    broker.swallowResponse(3);
    sendAndCheckExactlyOnce(
        open(builder().batchSizeBytes(1024).lingerMs(0).requestTimeoutMs(300)), 1_000);
  }

  @Test
  void aSessionRollsOverWhenItsSequenceNumbersRunOut() throws Exception {
    broker
        .dropResponseAndClose(3)
        .dropResponseAndClose(20)
        .dropResponseAndClose(33)
        .failRequest(34, ErrorCode.NOT_LEADER);
    ProducerConfig config =
        builder().batchSizeBytes(1024).lingerMs(0).producerName("roller").config();
    Producer p = new Producer(config, 299);
    producers.add(p);
    sendAndCheckExactlyOnce(p, 3_000);
    assertThat(broker.initRequests()).isGreaterThanOrEqualTo(10);
    assertThat(broker.batches()).allMatch(b -> b.baseSequence() + b.recordCount() - 1 <= 299);
  }

  private void sendAndCheckExactlyOnce(Producer p, int n) throws Exception {
    List<String> streams = new ArrayList<>();
    List<String> values = new ArrayList<>();
    List<CompletableFuture<RecordMetadata>> fs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String stream = "s" + (i % 3);
      String value = padded("v" + i + "-", 100);
      streams.add(stream);
      values.add(value);
      fs.add(p.send(stream, null, bytes(value)));
    }
    assertStoredExactlyOnce(streams, values, fs);
  }

  @Test
  void aRefusedBatchFailsOnlyItsRecordsAndTheProducerGoesOnInANewSession() throws Exception {
    Producer p = open(builder().producerName("writer").lingerMs(0));
    List<String> streams = new ArrayList<>();
    List<String> values = new ArrayList<>();
    List<CompletableFuture<RecordMetadata>> good = new ArrayList<>();
    List<CompletableFuture<RecordMetadata>> poisoned = new ArrayList<>();
    for (int round = 0; round < 20; round++) {
      for (String stream : new String[] {"a", "poison", "b"}) {
        for (int i = 0; i < 2; i++) {
          String v = stream + "-" + round + "-" + i;
          CompletableFuture<RecordMetadata> f = p.send(stream, null, bytes(v));
          if (stream.equals("poison")) {
            poisoned.add(f);
          } else {
            streams.add(stream);
            values.add(v);
            good.add(f);
          }
        }
      }
    }
    for (CompletableFuture<RecordMetadata> f : poisoned) {
      assertThat(failureCode(f)).isEqualTo(ErrorCode.INVALID_BATCH);
    }
    assertStoredExactlyOnce(streams, values, good);
    assertThat(broker.epochOf("writer")).isPositive();
    assertThat(p.sendAndWait("a", null, bytes("after"))).isNotNull();
  }

  @Test
  void aNewerProducerWithTheSameNameFencesTheOlderOne() throws Exception {
    Producer older = open(builder().producerName("w"));
    older.sendAndWait("s", null, bytes("1"));
    Producer newer = open(builder().producerName("w"));
    newer.sendAndWait("s", null, bytes("2"));
    assertThat(failureCode(older.send("s", null, bytes("3")))).isEqualTo(ErrorCode.PRODUCER_FENCED);
    assertThatThrownBy(() -> older.send("s", null, bytes("4")))
        .isInstanceOfSatisfying(
            OrdoException.class,
            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.PRODUCER_FENCED));
    newer.sendAndWait("s", null, bytes("5"));
    assertThat(broker.records())
        .extracting(r -> new String(r.value(), UTF_8))
        .containsExactly("1", "2", "5");
    older.close();
  }

  // ---------------------------------------------------------------- buffer memory

  @Test
  void aFullBufferFailsFastWithTheFailPolicy() throws Exception {
    Producer p =
        open(
            builder()
                .batchSizeBytes(1024)
                .bufferMemoryBytes(8 * 1024)
                .onBufferFull(BufferFullPolicy.FAIL)
                .lingerMs(0));
    p.sendAndWait("s", null, bytes("ready"));
    broker.holdResponses();
    List<CompletableFuture<RecordMetadata>> fs = new ArrayList<>();
    long tookNs = 0;
    BufferFullException full = null;
    for (int i = 0; i < 10_000 && full == null; i++) {
      long start = System.nanoTime();
      try {
        fs.add(p.send("s", null, new byte[100]));
      } catch (BufferFullException e) {
        tookNs = System.nanoTime() - start;
        full = e;
      }
    }
    assertThat(full).isNotNull();
    assertThat(fs).hasSizeBetween(60, 80);
    assertThat(tookNs).isLessThan(TimeUnit.SECONDS.toNanos(1));
    broker.releaseResponses();
    for (CompletableFuture<RecordMetadata> f : fs) {
      assertThat(f).succeedsWithin(WAIT);
    }
    assertThat(p.send("s", null, new byte[100])).succeedsWithin(WAIT);
  }

  /** Buffer memory a record with this value (no key, no headers) takes. */
  private static int encodedSize(byte[] value) {
    return RecordSize.encoded(RecordSize.bodyWithoutDelta(null, value, new Header[0]), 0);
  }

  /** A producer whose 4 KiB of buffer memory a few dozen small records fill, sending at once. */
  private Producer openWithSmallBuffer(boolean callbacksOnIoThread) {
    return open(
        builder()
            .batchSizeBytes(1024)
            .bufferMemoryBytes(4 * 1024)
            .maxBlockMs(30_000)
            .lingerMs(0)
            .callbacksOnIoThread(callbacksOnIoThread));
  }

  @Test
  void aFullBufferBlocksUntilMemoryIsFreed() throws Exception {
    int recordBytes = encodedSize(new byte[100]);
    Producer p = openWithSmallBuffer(false);
    p.sendAndWait("s", null, bytes("ready"));
    broker.holdResponses();
    List<CompletableFuture<RecordMetadata>> fs = new ArrayList<>();
    for (int i = 0; i < 4 * 1024 / recordBytes; i++) {
      fs.add(p.send("s", null, new byte[100]));
    }
    ExecutorService exec = Executors.newSingleThreadExecutor();
    try {
      CompletableFuture<CompletableFuture<RecordMetadata>> blocked =
          CompletableFuture.supplyAsync(() -> p.send("s", null, new byte[100]), exec);
      TestSupport.await("the send blocks", WAIT, () -> p.blockedSenders() == 1);
      assertThat(blocked).isNotDone();
      broker.releaseResponses();
      assertThat(blocked).succeedsWithin(WAIT);
      assertThat(blocked.get()).succeedsWithin(WAIT);
      for (CompletableFuture<RecordMetadata> f : fs) {
        assertThat(f).succeedsWithin(WAIT);
      }
    } finally {
      exec.shutdownNow();
    }
  }

  @Test
  void aSendFromACallbackOnTheIoThreadNeverWaitsForMemory() throws Exception {
    int recordBytes = encodedSize(new byte[100]);
    int xBytes = encodedSize(bytes("x"));
    Producer p = openWithSmallBuffer(true);
    p.sendAndWait("s", null, bytes("ready"));
    broker.holdResponses();
    int requestsBefore = broker.produceRequests();
    CompletableFuture<Throwable> fromCallback = new CompletableFuture<>();
    p.send(
        "s",
        null,
        bytes("x"),
        null,
        (offset, version, error) -> {
          try {
            p.send("s", null, new byte[900], null, (o, v, e) -> {});
            fromCallback.complete(null);
          } catch (Throwable t) {
            fromCallback.complete(t);
          }
        });
    TestSupport.await("x sent alone", WAIT, () -> broker.produceRequests() > requestsBefore);
    List<CompletableFuture<RecordMetadata>> fs = new ArrayList<>();
    for (int i = 0; i < (4 * 1024 - xBytes) / recordBytes; i++) {
      fs.add(p.send("s", null, new byte[100]));
    }
    // x's answer frees x's few bytes, not the 900 its callback asks for: blocking there would
    // stop the I/O thread that frees memory until maxBlockMs
    broker.releaseResponses();
    assertThat(fromCallback.get(10, TimeUnit.SECONDS)).isInstanceOf(BufferFullException.class);
    for (CompletableFuture<RecordMetadata> f : fs) {
      assertThat(f).succeedsWithin(WAIT);
    }
  }

  @Test
  void aBlockedSendGivesUpAfterMaxBlockMs() throws Exception {
    Producer p =
        open(builder().batchSizeBytes(1024).bufferMemoryBytes(1024).maxBlockMs(100).lingerMs(0));
    p.sendAndWait("s", null, bytes("ready"));
    broker.holdResponses();
    long start = System.nanoTime();
    assertThatThrownBy(
            () -> {
              for (int i = 0; i < 1_000; i++) {
                p.send("s", null, new byte[100]);
              }
            })
        .isInstanceOf(BufferFullException.class);
    assertThat(System.nanoTime() - start)
        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    broker.releaseResponses();
  }

  // ---------------------------------------------------------------- timeouts and closing

  @Test
  void recordsWithoutAnAnswerFailAfterTheDeliveryTimeout() throws Exception {
    Producer p = open(builder().deliveryTimeoutMs(1_000).lingerMs(0));
    awaitSession();
    p.sendAndWait("s", null, bytes("ready"));
    broker.holdResponses();
    CompletableFuture<RecordMetadata> f = p.send("s", null, bytes("lost?"));
    assertThat(failureCode(f)).isEqualTo(ErrorCode.REQUEST_TIMED_OUT);
    long start = System.nanoTime();
    p.close();
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
  }

  /**
   * Request 2 is stored but the broker goes silent on that connection; the records time out (an
   * unknown outcome); after the request timeout the producer reconnects and resends them with the
   * same sequences, so each ends up stored exactly once, and later records go through.
   */
  @Test
  void timedOutRecordsAreNeverStoredTwiceAndLaterRecordsStillGoThrough() throws Exception {
    broker.swallowResponse(2);
    Producer p =
        open(
            builder()
                .deliveryTimeoutMs(1_000)
                .requestTimeoutMs(2_500)
                .lingerMs(0)
                .batchSizeBytes(1024));
    awaitSession();
    p.sendAndWait("s", null, bytes("first"));
    List<String> early = new ArrayList<>();
    List<CompletableFuture<RecordMetadata>> earlyFutures = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      early.add("early-" + i);
      earlyFutures.add(p.send("s", null, bytes("early-" + i)));
    }
    p.flush();
    for (CompletableFuture<RecordMetadata> f : earlyFutures) {
      assertThat(failureCode(f)).isEqualTo(ErrorCode.REQUEST_TIMED_OUT);
    }
    TestSupport.await("the producer reconnects", WAIT, () -> broker.connectionCount() >= 2);
    List<String> later = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      later.add("later-" + i);
      assertThat(p.send("s", null, bytes("later-" + i))).succeedsWithin(WAIT);
    }
    List<String> expected = new ArrayList<>(List.of("first"));
    expected.addAll(early);
    expected.addAll(later);
    assertThat(broker.records())
        .extracting(r -> new String(r.value(), UTF_8))
        .containsExactlyElementsOf(expected);
  }

  /** A producer whose only bootstrap server is a free port nothing listens on. */
  private Producer unreachable() throws IOException {
    return open(
        Producer.builder()
            .bootstrapServers("127.0.0.1:" + freePort())
            .retryBackoffMs(5, 20)
            .deliveryTimeoutMs(300));
  }

  @Test
  void recordsFailAfterTheDeliveryTimeoutWhenNoBrokerIsReachable() throws IOException {
    Producer p = unreachable();
    assertThat(failureCode(p.send("s", null, bytes("nowhere"))))
        .isEqualTo(ErrorCode.REQUEST_TIMED_OUT);
  }

  @Test
  void aCallbackIsToldOfAFailureWithTheSameErrorAsAFuture() throws Exception {
    Producer p = unreachable();
    CompletableFuture<Throwable> error = new CompletableFuture<>();
    p.send(
        "s",
        null,
        bytes("nowhere"),
        null,
        (offset, version, e) -> {
          assertThat(offset).isEqualTo(-1);
          assertThat(version).isEqualTo(-1);
          error.complete(e);
        });
    assertThat(codeOf(error.get(30, TimeUnit.SECONDS))).isEqualTo(ErrorCode.REQUEST_TIMED_OUT);
  }

  @Test
  void triesTheNextBootstrapServerWhenOneIsDown() throws Exception {
    Producer p =
        open(
            Producer.builder()
                .bootstrapServers("127.0.0.1:" + freePort() + "," + broker.address())
                .retryBackoffMs(5, 20));
    assertThat(p.sendAndWait("s", null, bytes("x")).offset()).isZero();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void closeFlushesStopsEveryThreadAndIsIdempotent() throws Exception {
    Producer p = builder().lingerMs(600_000).deliveryTimeoutMs(1_200_000).build();
    CompletableFuture<RecordMetadata> f = p.send("s", null, bytes("before close"));
    assertThat(f).isNotDone();
    p.close();
    assertThat(f).isCompletedWithValueMatching(m -> m.offset() == 0);
    TestSupport.assertNoProducerThreads();
    p.close();
    assertThatThrownBy(() -> p.send("s", null, bytes("after")))
        .isInstanceOf(IllegalStateException.class);
    p.flush();
  }

  @Test
  void closeWithATimeoutFailsWhatIsLeft() throws Exception {
    Producer p = open(builder().lingerMs(0));
    p.sendAndWait("s", null, bytes("ready"));
    broker.holdResponses();
    CompletableFuture<RecordMetadata> f = p.send("s", null, bytes("unanswered"));
    p.close(Duration.ofMillis(100));
    assertThat(failureCode(f)).isEqualTo(ErrorCode.REQUEST_TIMED_OUT);
    TestSupport.assertNoProducerThreads();
  }

  // ---------------------------------------------------------------- callbacks

  /** The thread completions run on: the callback thread, or the I/O thread when asked. */
  private static String completionThreadSuffix(boolean onIoThread) {
    return onIoThread ? "-io" : "-callbacks";
  }

  @ParameterizedTest(name = "callbacksOnIoThread={0}")
  @ValueSource(booleans = {false, true})
  void callbacksRunOnTheirThreadWhereBlockingOnTheProducerIsRefused(boolean onIoThread)
      throws Exception {
    Producer p = open(builder().lingerMs(0).callbacksOnIoThread(onIoThread));
    CompletableFuture<String> thread = new CompletableFuture<>();
    CompletableFuture<Throwable> sendAndWait = new CompletableFuture<>();
    CompletableFuture<Throwable> flush = new CompletableFuture<>();
    // Held until the stage below is attached: a future already complete would run it on this
    // thread (seen once in a slow run).
    broker.holdResponses();
    p.send("s", null, bytes("1"))
        .thenAccept(
            m -> {
              thread.complete(Thread.currentThread().getName());
              try {
                p.sendAndWait("s", null, bytes("2"));
                sendAndWait.complete(null);
              } catch (Throwable t) {
                sendAndWait.complete(t);
              }
              try {
                p.flush();
                flush.complete(null);
              } catch (Throwable t) {
                flush.complete(t);
              }
            });
    broker.releaseResponses();
    assertThat(thread.get(30, TimeUnit.SECONDS))
        .startsWith(ProducerThreads.NAME_PREFIX)
        .endsWith(completionThreadSuffix(onIoThread));
    assertThat(sendAndWait.get(30, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
    assertThat(flush.get(30, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
    RecordMetadata chained =
        p.send("s", null, bytes("3"))
            .thenCompose(m -> p.send("s", null, bytes("4")))
            .get(30, TimeUnit.SECONDS);
    assertThat(chained.offset()).isEqualTo(2);
  }

  @ParameterizedTest(name = "callbacksOnIoThread={0}")
  @ValueSource(booleans = {false, true})
  void sendCallbacksGetOffsetsAndVersionsInSendOrderAndOneThatThrowsStopsNoOther(boolean onIoThread)
      throws Exception {
    Producer p = open(builder().lingerMs(1).batchSizeBytes(2048).callbacksOnIoThread(onIoThread));
    int n = 2_000;
    long[] offsets = new long[n];
    long[] versions = new long[n];
    String[] threads = new String[n];
    CountDownLatch done = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      int at = i;
      p.send(
          at % 2 == 0 ? "even" : "odd",
          null,
          bytes("v" + at),
          null,
          (offset, version, error) -> {
            offsets[at] = error == null ? offset : -2;
            versions[at] = version;
            threads[at] = Thread.currentThread().getName();
            done.countDown();
            if (at % 100 == 7) {
              throw new IllegalStateException("thrown by a callback on purpose");
            }
          });
    }
    assertThat(done.await(30, TimeUnit.SECONDS)).as("every callback called").isTrue();
    for (int i = 0; i < n; i++) {
      assertThat(offsets[i]).as("offset of record %d", i).isNotNegative();
      assertThat(versions[i]).as("version of record %d", i).isEqualTo(i / 2);
      assertThat(threads[i]).endsWith(completionThreadSuffix(onIoThread));
    }
    assertThat(offsets).doesNotHaveDuplicates();
    for (int i = 2; i < n; i++) {
      assertThat(offsets[i]).as("after the stream's record before").isGreaterThan(offsets[i - 2]);
    }
    assertThat(p.send("even", null, bytes("after")).get(30, TimeUnit.SECONDS).streamVersion())
        .as("a future after the callbacks")
        .isEqualTo(n / 2);
    assertThatThrownBy(() -> p.send("even", null, bytes("x"), null, null))
        .isInstanceOf(NullPointerException.class);
  }

  @ParameterizedTest(name = "callbacksOnIoThread={0}")
  @ValueSource(booleans = {false, true})
  void closeFromACallbackDoesNotDeadlock(boolean onIoThread) throws Exception {
    // Many times: a close started on a producer thread ends on a closer thread, and a close
    // waiting for it once returned before that thread had ended (seen 1 run in many).
    for (int i = 0; i < CLOSES_FROM_CALLBACKS; i++) {
      Producer p = builder().lingerMs(0).callbacksOnIoThread(onIoThread).build();
      CompletableFuture<Void> closedInCallback = new CompletableFuture<>();
      p.send("s", null, bytes("1"))
          .thenRun(
              () -> {
                p.close();
                closedInCallback.complete(null);
              });
      closedInCallback.get(30, TimeUnit.SECONDS);
      p.close();
      TestSupport.assertNoProducerThreads();
    }
  }

  // ---------------------------------------------------------------- bad input

  @Test
  void badArgumentsAreRefusedAtOnce() {
    Producer p = open(builder().batchSizeBytes(1024));
    assertThatThrownBy(() -> p.send("", null, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.send("x".repeat(256), null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.send(null, null, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> p.send("s", null, new byte[1024]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Producer.builder().build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().maxInFlightBatches(65).config())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().bootstrapServers("nohost").config())
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(p.send("x".repeat(255), null, null)).succeedsWithin(WAIT);
  }

  /**
   * A response frame. Correlation id 3 is the first PRODUCE on the first connection (after HELLO
   * and INIT_PRODUCER).
   */
  private static byte[] frame(int type, long correlationId, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(16 + body.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(12 + body.length)
        .putShort((short) type)
        .putShort((short) 0)
        .putLong(correlationId)
        .put(body);
    return b.array();
  }

  private void assertBadAnswerFailsCleanly(byte[] answer, ErrorCode expected) throws Exception {
    broker.answerWithBytes(1, answer);
    Producer p = open(builder().lingerMs(0));
    assertThat(failureCode(p.send("s", null, bytes("first")))).isEqualTo(expected);
    assertThat(p.send("s", null, bytes("second"))).succeedsWithin(WAIT);
  }

  @Test
  void aFrameOfUnknownTypeFailsCleanly() throws Exception {
    assertBadAnswerFailsCleanly(frame(999, 3, new byte[0]), ErrorCode.MALFORMED_FRAME);
  }

  @Test
  void aResponseWithTheWrongResultCountFailsCleanly() throws Exception {
    byte[] body = ByteBuffer.allocate(4 + 2 * 18).order(ByteOrder.LITTLE_ENDIAN).putInt(2).array();
    assertBadAnswerFailsCleanly(
        frame(MessageType.PRODUCE_RESPONSE.code(), 3, body), ErrorCode.MALFORMED_FRAME);
  }

  @Test
  void aTruncatedResponseFailsCleanly() throws Exception {
    byte[] body = ByteBuffer.allocate(4 + 10).order(ByteOrder.LITTLE_ENDIAN).putInt(1).array();
    assertBadAnswerFailsCleanly(
        frame(MessageType.PRODUCE_RESPONSE.code(), 3, body), ErrorCode.MALFORMED_FRAME);
  }

  @Test
  void aResponseForAnotherRequestFailsCleanly() throws Exception {
    byte[] body = ByteBuffer.allocate(4 + 18).order(ByteOrder.LITTLE_ENDIAN).putInt(1).array();
    assertBadAnswerFailsCleanly(
        frame(MessageType.PRODUCE_RESPONSE.code(), 77, body), ErrorCode.MALFORMED_FRAME);
  }

  @Test
  void aHugeLengthPrefixFailsCleanlyWithoutAllocating() throws Exception {
    byte[] prefix =
        ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(Integer.MAX_VALUE).array();
    assertBadAnswerFailsCleanly(prefix, ErrorCode.FRAME_TOO_LARGE);
  }

  @Test
  void aRefusedHandshakeFailsPendingRecords() {
    broker.rejectHello(ErrorCode.UNSUPPORTED_VERSION);
    Producer p = open(builder().lingerMs(0));
    assertThat(failureCode(p.send("s", null, bytes("x")))).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
  }

  @Test
  void aSmallerBrokerBatchLimitIsRespected() throws Exception {
    broker.close();
    broker = FakeBroker.start(64 * 1024, 2048);
    Producer p = open(builder().batchSizeBytes(16 * 1024).lingerMs(0));
    sendAndCheckExactlyOnce(p, 500);
    assertThat(broker.batches()).allMatch(b -> b.lengthBytes() <= 2048);
    assertThat(failureCode(p.send("s", null, new byte[4000]))).isEqualTo(ErrorCode.BATCH_TOO_LARGE);
  }

  @Test
  void interruptedSendAndWaitThrows() throws Exception {
    Producer p = open(builder().lingerMs(0));
    p.sendAndWait("s", null, bytes("ready"));
    broker.holdResponses();
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> p.sendAndWait("s", null, bytes("x")))
        .isInstanceOf(InterruptedException.class);
    assertThat(Thread.interrupted()).isFalse();
    broker.releaseResponses();
    p.flush();
  }
}
