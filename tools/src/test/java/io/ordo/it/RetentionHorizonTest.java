package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.server.Node;
import io.ordo.broker.server.NodeConfig;
import io.ordo.consumer.Consumer;
import io.ordo.consumer.ConsumerListener;
import io.ordo.consumer.ConsumerRecord;
import io.ordo.consumer.OffsetReset;
import io.ordo.consumer.RecordHandler;
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
import java.util.concurrent.atomic.AtomicLong;
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
 * With {@link OffsetReset#EARLIEST} the same slow consumer goes on from the log start instead, and
 * with {@link OffsetReset#LATEST} an offset below the start resumes at the end; {@code ordo consume
 * --offset-reset} does the same; so does a group whose committed offset retention deleted.
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

    final AtomicLong activeAt = new AtomicLong(-1);

    @Override
    public void onError(OrdoException e) {
      error.set(e);
    }

    @Override
    public void onActive(int generation, long resumeOffset) {
      activeAt.set(resumeOffset);
    }
  }

  private NodeConfig smallSegmentsAndRetention() {
    return NodeConfig.builder()
        .dataDir(dir)
        .port(0)
        .segmentBytes(4096)
        .retentionBytes(16 * 1024)
        .retentionCheckIntervalMs(20)
        .build();
  }

  /** A handler that keeps every record and blocks on the first one until {@code resume}. */
  private static RecordHandler stallOnFirst(
      Received into, CountDownLatch stalled, CountDownLatch resume) {
    return r -> {
      into.add(r);
      if (stalled.getCount() > 0) {
        stalled.countDown();
        resume.await();
      }
    };
  }

  /** A consumer that grants little credit (1 KiB), so that a stalled handler holds it back. */
  private static Consumer slowConsumer(String bootstrap, OffsetReset reset) {
    return Consumer.builder()
        .bootstrapServers(bootstrap)
        .creditBytes(1024)
        .offsetReset(reset)
        .build();
  }

  /** What {@link #fallBehind} leaves: the acknowledgements, an offset retention has deleted. */
  private record Behind(
      List<CompletableFuture<RecordMetadata>> acks, long half, CountDownLatch resume) {}

  /**
   * Subscribes {@code consumer} to stream "r" from the earliest record with a handler that stalls
   * on the first one, then produces until retention has deleted the first half of the stream.
   */
  private static Behind fallBehind(Node node, Consumer consumer, Received slow, Random rnd)
      throws Exception {
    CountDownLatch stalled = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    consumer.subscribe(
        StreamSelector.stream("r"),
        StartPosition.earliest(),
        stallOnFirst(slow, stalled, resume),
        slow);
    List<CompletableFuture<RecordMetadata>> acks =
        produceWhileStalled("127.0.0.1:" + node.address().getPort(), rnd, stalled);
    long half = acks.get(RECORDS / 2).get().offset();
    Await.until(
        "retention deleted the first half of the stream",
        20_000,
        () -> node.logStartOffset() > half);
    return new Behind(acks, half, resume);
  }

  /**
   * Sends {@link #RECORDS} records to stream "r" (the first alone, then once the consumer has
   * stalled on it, the rest) and returns their acknowledgements.
   */
  private static List<CompletableFuture<RecordMetadata>> produceWhileStalled(
      String bootstrap, Random rnd, CountDownLatch stalled) throws Exception {
    List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
    try (Producer p = Producer.builder().bootstrapServers(bootstrap).batchSizeBytes(1024).build()) {
      for (int i = 0; i < RECORDS; i++) {
        acks.add(p.send("r", null, LogContents.value(0, i, 16 + rnd.nextInt(150))));
        if (i == 0) {
          p.flush();
          assertThat(stalled.await(10, TimeUnit.SECONDS)).as("handler got a record").isTrue();
        }
      }
      p.flush();
    }
    return acks;
  }

  private static long sequence(ConsumerRecord r) {
    return ByteBuffer.wrap(r.value()).order(ByteOrder.LITTLE_ENDIAN).getLong(8);
  }

  @Test
  void aConsumerBehindRetentionGetsAClearErrorAndNeverSkipsARecord() throws Exception {
    Random rnd = TestSeed.random(RetentionHorizonTest.class);
    try (Node node = Node.start(smallSegmentsAndRetention())) {
      String bootstrap = "127.0.0.1:" + node.address().getPort();
      Received slow = new Received();
      try (Consumer consumer = slowConsumer(bootstrap, OffsetReset.NONE)) {
        Behind behind = fallBehind(node, consumer, slow, rnd);
        List<CompletableFuture<RecordMetadata>> acks = behind.acks();
        behind.resume().countDown();
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

  @Test
  void withOffsetResetTheConsumerGoesOnFromTheLogStartOrItsEnd() throws Exception {
    Random rnd = TestSeed.random(RetentionHorizonTest.class);
    try (Node node = Node.start(smallSegmentsAndRetention())) {
      String bootstrap = "127.0.0.1:" + node.address().getPort();
      Received slow = new Received();
      try (Consumer consumer = slowConsumer(bootstrap, OffsetReset.EARLIEST)) {
        Behind behind = fallBehind(node, consumer, slow, rnd);
        List<CompletableFuture<RecordMetadata>> acks = behind.acks();
        long lastOffset = acks.get(RECORDS - 1).get().offset();
        behind.resume().countDown();
        Await.until(
            "the consumer reached the last record",
            20_000,
            () -> {
              List<ConsumerRecord> got = slow.snapshot();
              return !got.isEmpty() && got.get(got.size() - 1).offset() == lastOffset;
            });
        assertThat(slow.error.get()).as("no error with offsetReset EARLIEST").isNull();
        assertThat(consumer.failure()).isNull();

        // record 0 onwards until it fell behind, then a gap, then the log from where it started
        // at the reset, without a hole, to the end
        List<ConsumerRecord> got = slow.snapshot();
        int i = 0;
        while (i < got.size() && sequence(got.get(i)) == i) {
          i++;
        }
        System.out.printf(
            "handed over records 0..%d, then %d..%d (log start now %d)%n",
            i - 1, sequence(got.get(i)), sequence(got.get(got.size() - 1)), node.logStartOffset());
        assertThat(i).as("records before the gap").isBetween(1, RECORDS / 2);
        assertThat(got.get(i).offset())
            .as("resumed past the deleted half")
            .isGreaterThan(behind.half());
        for (int k = i; k < got.size(); k++) {
          assertThat(sequence(got.get(k)))
              .as("record %d", k)
              .isEqualTo(sequence(got.get(i)) + k - i);
          assertThat(got.get(k).offset())
              .isEqualTo(acks.get((int) sequence(got.get(k))).get().offset());
        }
      }

      // With LATEST, an offset below the log start resumes at the end: only what comes next.
      Received late = new Received();
      try (Consumer consumer =
          Consumer.builder().bootstrapServers(bootstrap).offsetReset(OffsetReset.LATEST).build()) {
        consumer.subscribe(StreamSelector.stream("r"), StartPosition.offset(1), late::add, late);
        Await.until("subscribed at the end of the log", 10_000, () -> late.activeAt.get() >= 0);
        RecordMetadata next;
        try (Producer p = Producer.builder().bootstrapServers(bootstrap).build()) {
          next = p.sendAndWait("r", null, LogContents.value(1, 0, 32));
        }
        // (the new producer's session takes an offset of its own before its record)
        assertThat(late.activeAt.get())
            .isGreaterThan(node.logStartOffset())
            .isLessThanOrEqualTo(next.offset());
        Await.until("the next record arrived", 10_000, () -> !late.snapshot().isEmpty());
        assertThat(late.snapshot())
            .extracting(ConsumerRecord::offset)
            .containsExactly(next.offset());
        assertThat(late.error.get()).isNull();
      }

      // The same through `ordo consume`: refused without --offset-reset, from the start with it.
      String[] below = {
        "consume", "--bootstrap-server", bootstrap, "--stream", "r", "--offset", "1"
      };
      OrdoCli.Result refused = OrdoCli.execute(append(below, "--max-records", "1"));
      assertThat(refused.code()).isNotZero();
      assertThat(refused.err()).contains("OFFSET_OUT_OF_RANGE");
      String reset =
          OrdoCli.run(
              append(below, "--offset-reset", "earliest", "--max-records", "2", "--print-offset"));
      // (only the first line's offset: the values are binary and may hold newline bytes)
      long first = Long.parseLong(reset.substring(0, reset.indexOf('\t')));
      assertThat(first).isGreaterThanOrEqualTo(node.logStartOffset());
    }
  }

  @Test
  void aGroupWhoseCommittedOffsetWasDeletedResetsToTheLogStart() throws Exception {
    Random rnd = TestSeed.random(RetentionHorizonTest.class);
    try (Node node = Node.start(smallSegmentsAndRetention())) {
      String bootstrap = "127.0.0.1:" + node.address().getPort();
      Consumer.Builder member =
          Consumer.builder()
              .bootstrapServers(bootstrap)
              .group("g")
              .offsetReset(OffsetReset.EARLIEST);
      List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
      try (Producer p =
          Producer.builder().bootstrapServers(bootstrap).batchSizeBytes(1024).build()) {
        acks.add(p.send("r", null, LogContents.value(0, 0, 32)));
        p.flush();
        Received first = new Received();
        try (Consumer c = member.build()) {
          c.subscribe(StreamSelector.stream("r"), StartPosition.earliest(), first::add, first);
          Await.until("the first record handled", 10_000, () -> !first.snapshot().isEmpty());
          c.commit().get(10, TimeUnit.SECONDS); // the group's offset: right after record 0
        }
        for (int i = 1; i < RECORDS; i++) {
          acks.add(p.send("r", null, LogContents.value(0, i, 16 + rnd.nextInt(150))));
        }
        p.flush();
      }
      long half = acks.get(RECORDS / 2).get().offset();
      Await.until(
          "retention passed the group's offset", 20_000, () -> node.logStartOffset() > half);
      Received next = new Received();
      try (Consumer c = member.build()) {
        c.subscribe(StreamSelector.stream("r"), StartPosition.earliest(), next::add, next);
        Await.until("records after the reset", 10_000, () -> !next.snapshot().isEmpty());
        assertThat(next.error.get()).isNull();
        assertThat(next.activeAt.get()).isGreaterThan(half);
        assertThat(next.snapshot().get(0).offset()).isGreaterThan(half);
      }
    }
  }

  private static String[] append(String[] args, String... more) {
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }
}
