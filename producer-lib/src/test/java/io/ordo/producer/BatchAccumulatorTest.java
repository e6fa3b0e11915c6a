package io.ordo.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.protocol.batch.Header;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The accumulator alone, with time passed in: no threads, no sockets, no clocks. */
class BatchAccumulatorTest {
  private static final long SEED = TestSupport.seed(BatchAccumulatorTest.class);
  private static final long MS = 1_000_000L;

  private static PendingRecord record(String stream, int valueBytes, long timestampMs) {
    byte[] value = new byte[valueBytes];
    Header[] none = new Header[0];
    int body = RecordSize.bodyWithoutDelta(null, value, none);
    return new PendingRecord(
        stream, null, value, none, timestampMs, body, RecordSize.encoded(body, 0), null);
  }

  private static List<ProducerBatch> drainSealed(BatchAccumulator acc) {
    List<ProducerBatch> out = new ArrayList<>();
    ProducerBatch b;
    while ((b = acc.pollSealed()) != null) {
      out.add(b);
    }
    return out;
  }

  @Test
  void sealsABatchWhenTheNextRecordWouldNotFit() {
    Random rnd = new Random(SEED);
    int limit = 1024;
    BatchAccumulator acc = new BatchAccumulator(limit, Long.MAX_VALUE / 4, false);
    List<PendingRecord> sent = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      PendingRecord r = record("s", rnd.nextInt(300), 1000 + i / 7);
      sent.add(r);
      acc.append(r, 0);
    }
    acc.sealAll();
    List<ProducerBatch> batches = drainSealed(acc);
    List<PendingRecord> seen = new ArrayList<>();
    for (int i = 0; i < batches.size(); i++) {
      ProducerBatch b = batches.get(i);
      assertThat(b.sizeBytes).isLessThanOrEqualTo(limit);
      if (i + 1 < batches.size()) {
        PendingRecord next = batches.get(i + 1).records[0];
        int nextSize =
            RecordSize.encoded(next.bodyWithoutDeltaBytes, next.timestampMs - b.firstTimestampMs);
        assertThat(b.sizeBytes + nextSize)
            .as("batch %d could have taken the next record", i)
            .isGreaterThan(limit);
      }
      for (int j = 0; j < b.count; j++) {
        seen.add(b.records[j]);
      }
    }
    assertThat(seen).containsExactlyElementsOf(sent);
  }

  @Test
  void sealsBatchesThatLingeredLongEnoughOldestFirst() {
    BatchAccumulator acc = new BatchAccumulator(64 * 1024, 5 * MS, false);
    acc.append(record("a", 10, 1), 0);
    acc.append(record("b", 10, 1), 2 * MS);
    acc.append(record("a", 10, 1), 3 * MS);
    assertThat(acc.nextLingerDeadlineNs()).isEqualTo(5 * MS);
    acc.sealLingered(4 * MS);
    assertThat(acc.hasSealed()).isFalse();
    acc.sealLingered(5 * MS);
    assertThat(drainSealed(acc)).extracting(b -> b.stream + ":" + b.count).containsExactly("a:2");
    assertThat(acc.nextLingerDeadlineNs()).isEqualTo(7 * MS);
    acc.append(record("a", 10, 1), 8 * MS);
    acc.sealLingered(20 * MS);
    assertThat(drainSealed(acc)).extracting(b -> b.stream).containsExactly("b", "a");
    assertThat(acc.nextLingerDeadlineNs()).isEqualTo(Long.MAX_VALUE);
    assertThat(acc.isEmpty()).isTrue();
  }

  @Test
  void crossStreamOrderKeepsOneOpenBatch() {
    BatchAccumulator acc = new BatchAccumulator(64 * 1024, Long.MAX_VALUE / 4, true);
    for (String s : new String[] {"a", "a", "b", "a", "c", "c"}) {
      acc.append(record(s, 10, 1), 0);
    }
    acc.sealAll();
    assertThat(drainSealed(acc))
        .extracting(b -> b.stream + ":" + b.count)
        .containsExactly("a:2", "b:1", "a:1", "c:2");
  }

  @Test
  void withoutCrossStreamOrderBatchesPerStream() {
    BatchAccumulator acc = new BatchAccumulator(64 * 1024, Long.MAX_VALUE / 4, false);
    for (String s : new String[] {"a", "a", "b", "a", "c", "c"}) {
      acc.append(record(s, 10, 1), 0);
    }
    acc.sealAll();
    assertThat(drainSealed(acc))
        .extracting(b -> b.stream + ":" + b.count)
        .containsExactly("a:3", "b:1", "c:2");
  }

  @Test
  void removesBatchesCreatedBeforeADeadlineAndTracksTheOldestSerial() {
    BatchAccumulator acc = new BatchAccumulator(64 * 1024, Long.MAX_VALUE / 4, false);
    acc.append(record("a", 10, 1), 1 * MS);
    acc.append(record("b", 10, 1), 2 * MS);
    acc.sealAll();
    acc.append(record("a", 10, 1), 3 * MS);
    acc.append(record("c", 10, 1), 4 * MS);
    assertThat(acc.minSerial()).isZero();
    assertThat(acc.lastSerial()).isEqualTo(3);
    List<String> removed = new ArrayList<>();
    acc.removeCreatedBefore(3 * MS, b -> removed.add(b.stream + "@" + b.createdNs / MS));
    assertThat(removed).containsExactlyInAnyOrder("a@3", "a@1", "b@2");
    assertThat(acc.minSerial()).isEqualTo(3);
  }

  @Test
  void splitKeepsSerialAndMemory() {
    BatchAccumulator acc = new BatchAccumulator(64 * 1024, Long.MAX_VALUE / 4, false);
    for (int i = 0; i < 10; i++) {
      acc.append(record("a", 10, 100 + i), 0);
    }
    acc.sealAll();
    ProducerBatch b = acc.pollSealed();
    long memory = b.memoryBytes;
    ProducerBatch head = b.splitHead(4);
    assertThat(head.count).isEqualTo(4);
    assertThat(b.count).isEqualTo(6);
    assertThat(head.serial).isEqualTo(b.serial);
    assertThat(head.memoryBytes + b.memoryBytes).isEqualTo(memory);
    assertThat(b.records[0].timestampMs).isEqualTo(104);
    assertThat(b.firstTimestampMs).isEqualTo(104);
  }
}
