package io.ordo.broker.sequencer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sequencer against an in-memory log: stamping, idempotence, fencing, group acks. */
class SequencerTest {
  /** In-memory stand-in for the storage log (unit test of the sequencer only). */
  static final class MemoryLog implements SequencedLog {
    final List<ByteBuffer> batches = new ArrayList<>();
    long next;
    long durable;
    boolean waitForFsync = true;
    boolean fsyncOnGroupEnd = true;
    int groups;

    @Override
    public long nextOffset() {
      return next;
    }

    @Override
    public long durableOffset() {
      return durable;
    }

    @Override
    public void append(ByteBuffer[] group, int count) {
      for (int i = 0; i < count; i++) {
        ByteBuffer copy = ByteBuffer.allocate(group[i].remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(group[i].duplicate()).flip();
        RecordBatch b = new RecordBatch().wrap(copy, 0);
        b.ensureValid();
        assertThat(b.baseOffset()).isEqualTo(next);
        next = b.nextOffset();
        batches.add(copy);
      }
      groups++;
    }

    @Override
    public void flush() {
      durable = next;
    }

    @Override
    public void onGroupEnd(long nowMs) {
      if (fsyncOnGroupEnd) {
        durable = next;
      }
    }

    @Override
    public boolean acksWaitForFsync() {
      return waitForFsync;
    }
  }

  /** Collects completed requests in completion order. */
  static final class Responses implements ProduceRequest.Responder {
    final List<ProduceRequest> done = new ArrayList<>();

    @Override
    public void onProduceComplete(ProduceRequest request) {
      done.add(request);
    }

    @Override
    public void onInitProducerComplete(ProduceRequest request) {
      done.add(request);
    }
  }

  MemoryLog log;
  Responses responses;
  Sequencer sequencer;
  ProducerSessions sessions;
  StreamVersions streams;
  long seq;
  long nowMs = 1_000;

  @BeforeEach
  void setUp() {
    log = new MemoryLog();
    responses = new Responses();
    sessions = new ProducerSessions();
    streams = new StreamVersions();
    sequencer = new Sequencer(log, sessions, streams, () -> nowMs, 7, 1024);
  }

  ProduceRequest init(String name) {
    ProduceRequest r = ProduceRequest.initProducer(responses, seq, name);
    submit(r, true);
    return r;
  }

  void submit(ProduceRequest r, boolean endOfBatch) {
    AppendEvent e = new AppendEvent();
    e.set(r);
    sequencer.onEvent(e, seq++, endOfBatch);
  }

  static ByteBuffer batch(String stream, long pid, short epoch, int baseSeq, int records) {
    RecordBatchBuilder b = new RecordBatchBuilder(64 * 1024);
    b.begin(stream, pid, epoch, baseSeq, Compression.NONE, false);
    for (int i = 0; i < records; i++) {
      b.tryAppend(100 + i, null, ("v" + (baseSeq + i)).getBytes(StandardCharsets.UTF_8), null);
    }
    ByteBuffer built = b.build();
    ByteBuffer copy = ByteBuffer.allocate(built.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    copy.put(built).flip();
    return copy;
  }

  ProduceRequest produce(boolean endOfBatch, ByteBuffer... batches) {
    int total = 0;
    for (ByteBuffer b : batches) {
      total += b.remaining();
    }
    ByteBuf frame = Unpooled.buffer(total);
    for (ByteBuffer b : batches) {
      frame.writeBytes(b.duplicate());
    }
    ProduceRequest r = ProduceRequest.produce(responses, seq, frame, batches.length);
    int pos = 0;
    for (int i = 0; i < batches.length; i++) {
      r.setBatch(i, pos, batches[i].remaining(), ErrorCode.NONE);
      pos += batches[i].remaining();
    }
    submit(r, endOfBatch);
    return r;
  }

  @Test
  void stampsContiguousOffsetsStreamVersionsAndChains() {
    ProduceRequest r =
        produce(
            true,
            batch("a", -1, (short) 0, -1, 3),
            batch("b", -1, (short) 0, -1, 2),
            batch("a", -1, (short) 0, -1, 4));
    assertThat(r.baseOffset(0)).isEqualTo(0);
    assertThat(r.baseOffset(1)).isEqualTo(3);
    assertThat(r.baseOffset(2)).isEqualTo(5);
    assertThat(r.baseStreamVersion(0)).isEqualTo(0);
    assertThat(r.baseStreamVersion(1)).isEqualTo(0);
    assertThat(r.baseStreamVersion(2)).isEqualTo(3);
    RecordBatch third = new RecordBatch().wrap(log.batches.get(2), 0);
    assertThat(third.prevStreamBatchOffset()).isEqualTo(0);
    assertThat(third.term()).isEqualTo(7);
    assertThat(third.appendTimestamp()).isEqualTo(1_000);
    assertThat(responses.done).containsExactly(r);
    assertThat(r.frame).as("frame released after the write").isNull();
  }

  @Test
  void retryIsAnsweredWithOriginalOffsetsAndNotStoredTwice() {
    ProduceRequest init = init("writer");
    long pid = init.producerId();
    short epoch = init.producerEpoch();
    produce(true, batch("s", pid, epoch, 0, 5));
    ProduceRequest second = produce(true, batch("s", pid, epoch, 5, 5));
    long before = log.next;
    ProduceRequest retry = produce(true, batch("s", pid, epoch, 5, 5));
    assertThat(log.next).isEqualTo(before);
    assertThat(retry.error(0)).isEqualTo(ErrorCode.NONE);
    assertThat(retry.baseOffset(0)).isEqualTo(second.baseOffset(0));
    assertThat(retry.baseStreamVersion(0)).isEqualTo(5);
  }

  @Test
  void gapIsRefusedAndOldEpochIsFenced() {
    ProduceRequest first = init("writer");
    ProduceRequest gap = produce(true, batch("s", first.producerId(), first.producerEpoch(), 3, 1));
    assertThat(gap.error(0)).isEqualTo(ErrorCode.OUT_OF_ORDER_SEQUENCE);
    ProduceRequest second = init("writer");
    assertThat(second.producerId()).isEqualTo(first.producerId());
    assertThat(second.producerEpoch()).isEqualTo((short) (first.producerEpoch() + 1));
    ProduceRequest stale =
        produce(true, batch("s", first.producerId(), first.producerEpoch(), 0, 1));
    assertThat(stale.error(0)).isEqualTo(ErrorCode.PRODUCER_FENCED);
    ProduceRequest fresh =
        produce(true, batch("s", second.producerId(), second.producerEpoch(), 0, 1));
    assertThat(fresh.error(0)).isEqualTo(ErrorCode.NONE);
    ProduceRequest unknown = produce(true, batch("s", 12345, (short) 0, 0, 1));
    assertThat(unknown.error(0)).isEqualTo(ErrorCode.UNKNOWN_PRODUCER);
  }

  @Test
  void anonymousProducersGetDistinctIds() {
    long a = init("").producerId();
    long b = init("").producerId();
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void acknowledgesOnlyWhatIsDurableAndInArrivalOrder() {
    log.fsyncOnGroupEnd = false;
    ProduceRequest r1 = produce(false, batch("s", -1, (short) 0, -1, 1));
    ProduceRequest r2 = produce(true, batch("s", -1, (short) 0, -1, 1));
    assertThat(log.groups).isEqualTo(1);
    assertThat(responses.done).isEmpty();
    log.flush();
    sequencer.onTimeout(seq);
    assertThat(responses.done).containsExactly(r1, r2);
  }

  @Test
  void replayingTheLogRebuildsTheSameSessionsAndVersions() {
    long seed = Long.getLong("ordo.seed", new Random().nextLong());
    System.out.println("SequencerTest seed " + seed);
    Random rnd = new Random(seed);
    List<long[]> producers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ProduceRequest r = init(i % 2 == 0 ? "p" + i : "");
      producers.add(new long[] {r.producerId(), r.producerEpoch(), 0});
    }
    for (int i = 0; i < 300; i++) {
      long[] p = producers.get(rnd.nextInt(producers.size()));
      int n = 1 + rnd.nextInt(5);
      produce(rnd.nextBoolean(), batch("s" + rnd.nextInt(3), p[0], (short) p[1], (int) p[2], n));
      p[2] += n;
    }
    produce(true, batch("s0", -1, (short) 0, -1, 1));
    ProducerSessions replayed = new ProducerSessions();
    StreamVersions replayedStreams = new StreamVersions();
    for (ByteBuffer b : log.batches) {
      RecordBatch view = new RecordBatch().wrap(b, 0);
      replayed.apply(view);
      replayedStreams.apply(view);
    }
    for (int s = 0; s < 3; s++) {
      assertThat(replayedStreams.nextVersion("s" + s)).isEqualTo(streams.nextVersion("s" + s));
    }
    for (long[] p : producers) {
      RecordBatch retry =
          new RecordBatch().wrap(batch("s0", p[0], (short) p[1], (int) p[2] - 1, 1), 0);
      RecordBatch next = new RecordBatch().wrap(batch("s0", p[0], (short) p[1], (int) p[2], 1), 0);
      assertThat(replayed.check(next)).isEqualTo(sessions.check(next));
      assertThat(replayed.check(retry)).isEqualTo(sessions.check(retry));
    }
    assertThat(replayed.idFor("")).isEqualTo(sessions.idFor(""));
    assertThat(replayed.nextEpoch(producers.get(0)[0])).isEqualTo((short) 1);
  }
}
