package io.ordo.broker.state;

import static io.ordo.broker.state.StateFixtures.groupOffsetsOf;
import static io.ordo.broker.state.StateFixtures.sessionsOf;
import static io.ordo.broker.state.StateFixtures.streamsOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutBlockingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ordo.broker.groups.MemoryGroupOffsets;
import io.ordo.broker.platform.BackgroundPriority;
import io.ordo.broker.platform.ThreadNice;
import io.ordo.broker.sequencer.AppendEvent;
import io.ordo.broker.sequencer.ProduceRequest;
import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.Sequencer;
import io.ordo.broker.sequencer.StreamVersions;
import io.ordo.broker.server.SequencerLog;
import io.ordo.broker.storage.FsyncPolicy;
import io.ordo.broker.storage.Log;
import io.ordo.broker.storage.LogClock;
import io.ordo.broker.storage.LogConfig;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sequencer on its Disruptor thread, over a real log with fsync per group, with the state
 * checkpointed as the node does it: while a checkpoint is stuck on the checkpoint thread (held by a
 * latch), appends keep being stamped, written and acknowledged; the changes made meanwhile go into
 * the next checkpoint, which the sequencer hands off as soon as the held one is written; the last
 * one at the stop leaves a store that loads back as the live state.
 */
@Timeout(120)
class CheckpointOffTheSequencerTest {
  private static final long INTERVAL_MS = 60_000;

  @TempDir Path tmp;
  private final AtomicLong clockMs = new AtomicLong(1_000_000);
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private Disruptor<AppendEvent> disruptor;
  private Thread sequencerThread;

  @AfterEach
  void stop() throws InterruptedException {
    if (disruptor != null) {
      disruptor.halt();
    }
    if (sequencerThread != null) {
      sequencerThread.join(30_000);
      assertThat(sequencerThread.isAlive()).isFalse();
    }
    assertThat(StateFixtures.liveThreads(CheckpointWriter.THREAD_NAME)).isEmpty();
  }

  @Test
  void appendsAreAcknowledgedWhileACheckpointIsBeingWritten() throws Exception {
    Random random = new Random(StateFixtures.seed(getClass().getSimpleName()));
    LogConfig logConfig =
        LogConfig.builder(tmp.resolve("log")).fsyncPolicy(FsyncPolicy.EVERY_GROUP).build();
    StateStoreConfig storeConfig = StateStoreConfig.forDataDir(tmp).withEntries(256, 4096, 64);
    ProducerSessions sessions = new ProducerSessions();
    StreamVersions streams = new StreamVersions();
    MemoryGroupOffsets groupOffsets = new MemoryGroupOffsets();
    CountDownLatch saving = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    String[] saverThread = new String[1];
    List<Long> savedOffsets = new CopyOnWriteArrayList<>();
    try (Log log = Log.open(logConfig, LogClock.SYSTEM)) {
      StateStore store = StateStore.open(storeConfig);
      StateCheckpointer checkpointer =
          StateCheckpointer.start(
              store,
              new DerivedState(sessions, streams, groupOffsets),
              INTERVAL_MS,
              -1,
              log.nextOffset(),
              clockMs.get(),
              changes -> {
                saverThread[0] = Thread.currentThread().getName();
                saving.countDown();
                awaitUninterruptibly(release);
                boolean saved = store.save(changes);
                if (saved) {
                  savedOffsets.add(changes.appliedOffset);
                }
                return saved;
              });
      Sequencer[] sequencer = new Sequencer[1];
      sequencer[0] =
          new Sequencer(
              new SequencerLog(log, FsyncPolicy.EVERY_GROUP, 10_000),
              sessions,
              streams,
              groupOffsets,
              offset -> {
                // as Node.onAcknowledged: checkpoint only when everything stamped is durable
                if (offset == sequencer[0].nextOffset()) {
                  checkpointer.maybeCheckpoint(offset, clockMs.get());
                }
              },
              clockMs::get,
              1,
              64);
      disruptor =
          new Disruptor<>(
              AppendEvent::new,
              1024,
              r -> sequencerThread = new Thread(r, "test-sequencer"),
              ProducerType.MULTI,
              new TimeoutBlockingWaitStrategy(10, TimeUnit.MILLISECONDS));
      disruptor.handleEventsWith(sequencer[0]);
      RingBuffer<AppendEvent> ring = disruptor.start();
      Appender appender = new Appender(ring, random);
      long[] producer = appender.init("writer");

      appender.appendAndAwait(producer, 300);
      long firstCheckpoint = log.nextOffset(); // the init, then one record per batch
      clockMs.addAndGet(INTERVAL_MS);
      // No append: the sequencer's next idle tick hands the checkpoint off, at this offset. (An
      // append here would race that tick for which offset the checkpoint holds.)
      assertThat(saving.await(30, TimeUnit.SECONDS)).as("checkpoint started").isTrue();
      if (ThreadNice.available()) {
        assertThat(ThreadNice.ofThreadsNamed(CheckpointWriter.THREAD_NAME))
            .as("the checkpoint thread runs at background priority")
            .containsExactly(BackgroundPriority.NICE);
      }

      long startNs = System.nanoTime();
      int whileSaving = 2000;
      appender.appendAndAwait(producer, whileSaving);
      clockMs.addAndGet(INTERVAL_MS); // due again, but the first one is still being written
      appender.appendAndAwait(producer, 1);
      System.out.printf(
          "%d appends acknowledged in %d ms while the checkpoint thread was held%n",
          whileSaving + 1, (System.nanoTime() - startNs) / 1_000_000);
      assertThat(checkpointer.savedOffset())
          .as("the first checkpoint is still held")
          .isNotEqualTo(log.nextOffset());

      release.countDown();
      // The checkpoint that came due while the first was held is handed off by the sequencer as
      // soon as the first is written, at its next cycle, with no append needed (the clock stays).
      long dueWhileHeld = log.nextOffset();
      await(() -> savedOffsets.size() >= 2, "the checkpoint that came due while one was held");
      assertThat(savedOffsets).containsExactly(firstCheckpoint, dueWhileHeld);
      assertThat(saverThread[0]).isEqualTo(CheckpointWriter.THREAD_NAME);

      clockMs.addAndGet(INTERVAL_MS);
      appender.appendAndAwait(producer, 1);
      long thirdCheckpoint = log.nextOffset();
      await(() -> savedOffsets.size() >= 3, "the next periodic checkpoint");
      assertThat(savedOffsets).containsExactly(firstCheckpoint, dueWhileHeld, thirdCheckpoint);
      assertThat(checkpointer.savedOffset()).isEqualTo(thirdCheckpoint);

      appender.appendAndAwait(producer, 50);
      disruptor.shutdown();
      disruptor = null;
      assertThat(sequencer[0].awaitStopped(30_000)).isTrue();
      sequencer[0].flushAndAcknowledge();
      assertThat(checkpointer.checkpointAndClose(log.nextOffset(), clockMs.get())).isTrue();
      assertThat(refused.get()).isZero();

      try (StateStore reopened = StateStore.open(storeConfig)) {
        ProducerSessions s = new ProducerSessions();
        StreamVersions v = new StreamVersions();
        Map<String, GroupOffset> g = new HashMap<>();
        assertThat(reopened.load(s, v, g)).isEqualTo(log.nextOffset());
        assertThat(sessionsOf(s)).isEqualTo(sessionsOf(sessions));
        assertThat(streamsOf(v)).isEqualTo(streamsOf(streams));
        assertThat(g).isEqualTo(groupOffsetsOf(groupOffsets));
        ProducerSessions replayedSessions = new ProducerSessions();
        StreamVersions replayedStreams = new StreamVersions();
        log.forEachBatch(
            log.startOffset(),
            b -> {
              replayedSessions.apply(b);
              replayedStreams.apply(b);
            });
        assertThat(sessionsOf(s)).isEqualTo(sessionsOf(replayedSessions));
        assertThat(streamsOf(v)).isEqualTo(streamsOf(replayedStreams));
      }
    }
  }

  /** Publishes requests into the ring as the I/O threads do, and waits for their answers. */
  private final class Appender implements ProduceRequest.Responder {
    private final RingBuffer<AppendEvent> ring;
    private final Random random;
    private final RecordBatchBuilder builder = new RecordBatchBuilder(4096);
    private CompletableFuture<ProduceRequest> init;
    private long correlation;

    Appender(RingBuffer<AppendEvent> ring, Random random) {
      this.ring = ring;
      this.random = random;
    }

    /** Returns {producerId, epoch, next sequence}. */
    long[] init(String name) throws Exception {
      init = new CompletableFuture<>();
      publish(ProduceRequest.initProducer(this, correlation++, name));
      ProduceRequest r = init.get(30, TimeUnit.SECONDS);
      assertThat(r.initError()).isEqualTo(ErrorCode.NONE);
      return new long[] {r.producerId(), r.producerEpoch(), 0};
    }

    /** Sends {@code count} one-record batches to random streams, then waits for all the acks. */
    void appendAndAwait(long[] producer, int count) {
      long target = acknowledged.get() + count;
      for (int i = 0; i < count; i++) {
        String stream = "order-" + random.nextInt(5000);
        builder.begin(
            stream, producer[0], (short) producer[1], (int) producer[2]++, Compression.NONE, false);
        builder.tryAppend(1, null, ("v" + producer[2]).getBytes(StandardCharsets.UTF_8), null);
        ByteBuffer built = builder.build();
        ByteBuf frame = Unpooled.buffer(built.remaining());
        frame.writeBytes(built);
        ProduceRequest r = ProduceRequest.produce(this, correlation++, frame, 1);
        r.setBatch(0, 0, frame.readableBytes(), ErrorCode.NONE);
        publish(r);
      }
      await(() -> acknowledged.get() + refused.get() >= target, count + " acknowledgements");
    }

    private void publish(ProduceRequest request) {
      ring.publishEvent((event, seq, r) -> event.set(r), request);
    }

    @Override
    public void onProduceComplete(ProduceRequest request) {
      if (request.error(0) == ErrorCode.NONE) {
        acknowledged.incrementAndGet();
      } else {
        refused.incrementAndGet();
      }
    }

    @Override
    public void onInitProducerComplete(ProduceRequest request) {
      init.complete(request);
    }
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
