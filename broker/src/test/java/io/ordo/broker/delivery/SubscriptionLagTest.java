package io.ordo.broker.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.storage.Log;
import io.ordo.broker.storage.LogClock;
import io.ordo.broker.storage.LogConfig;
import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordBatchBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Counting a subscription's lag over a real log: its streams only, from mid-batch, bounded. */
class SubscriptionLagTest {
  @TempDir Path dir;

  private Log log;

  /** Stream name of each batch appended, with its base offset and record count. */
  private final List<Object[]> appended = new ArrayList<>();

  private void open(int segmentBytes) throws IOException {
    log =
        Log.open(
            LogConfig.builder(dir).segmentBytes(segmentBytes).preallocate(false).build(),
            LogClock.SYSTEM);
  }

  @AfterEach
  void close() throws IOException {
    if (log != null) {
      log.close();
    }
  }

  private void append(String stream, int records) throws IOException {
    RecordBatchBuilder b = new RecordBatchBuilder(64 * 1024);
    b.begin(stream, RecordBatch.NO_PRODUCER_ID, (short) 0, -1, Compression.NONE, false);
    for (int i = 0; i < records; i++) {
      b.tryAppend(1_000 + i, null, ("v" + i).getBytes(StandardCharsets.UTF_8), null);
    }
    ByteBuffer built = b.build();
    ByteBuffer batch = ByteBuffer.allocate(built.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    batch.put(built).flip();
    long base = log.nextOffset();
    new RecordBatch().wrap(batch, 0).stamp(base, 1, 0, RecordBatch.NO_PREVIOUS_BATCH, 1_000);
    log.append(batch);
    appended.add(new Object[] {stream, base, records});
  }

  /** What the count must be: records of matching batches with offset in [from, to). */
  private long model(String key, long from, long to) {
    long n = 0;
    for (Object[] a : appended) {
      String stream = (String) a[0];
      long base = (long) a[1];
      long after = base + (int) a[2];
      boolean matches =
          key.equals("all")
              ? !stream.startsWith("$")
              : key.startsWith("stream:")
                  ? stream.equals(key.substring(7))
                  : !stream.startsWith("$") && stream.startsWith(key.substring(7));
      if (matches && after <= to) {
        n += Math.max(0, after - Math.max(base, from));
      }
    }
    return n;
  }

  @Test
  void countsOnlyTheSubscriptionsStreamsFromMidBatchToTheCommitOffset() throws IOException {
    open(1 << 20);
    append("orders", 10); // 0..9
    append("payments", 5); // 10..14
    append("$offsets", 1); // 15
    append("orders", 3); // 16..18
    append("orders.eu", 4); // 19..22
    long end = log.nextOffset();

    assertThat(SubscriptionLag.of(log, "stream:orders", 0, end, 1000))
        .isEqualTo(new SubscriptionLag.Lag(13, true, 5));
    assertThat(SubscriptionLag.of(log, "stream:orders", 4, end, 1000).records()).isEqualTo(9);
    assertThat(SubscriptionLag.of(log, "stream:orders", 19, end, 1000).records()).isZero();
    assertThat(SubscriptionLag.of(log, "prefix:orders", 0, end, 1000).records()).isEqualTo(17);
    assertThat(SubscriptionLag.of(log, "all", 12, end, 1000).records()).isEqualTo(3 + 3 + 4);
    assertThat(SubscriptionLag.of(log, "stream:$offsets", 0, end, 1000).records()).isEqualTo(1);
    // the commit offset bounds it: the last two batches are not committed yet
    assertThat(SubscriptionLag.of(log, "stream:orders", 0, 16, 1000).records()).isEqualTo(10);
    // at the budget the count is a lower bound
    assertThat(SubscriptionLag.of(log, "stream:orders", 0, end, 2))
        .isEqualTo(new SubscriptionLag.Lag(10, false, 2));
    assertThat(SubscriptionLag.of(log, "stream:orders", 0, end, 0))
        .isEqualTo(new SubscriptionLag.Lag(0, false, 0));
  }

  @Test
  void aKeyTheNodeCannotParseOrNoPositionIsUnknown() throws IOException {
    open(1 << 20);
    append("orders", 2);
    long end = log.nextOffset();
    for (String key : List.of("orders", "stream:", "topic:orders", "")) {
      assertThat(SubscriptionLag.of(log, key, 0, end, 1000)).isEqualTo(SubscriptionLag.Lag.UNKNOWN);
    }
    assertThat(SubscriptionLag.of(log, "stream:orders", -1, end, 1000))
        .isEqualTo(SubscriptionLag.Lag.UNKNOWN);
  }

  @Test
  void matchesAModelOverRandomLogsAcrossSegments() throws IOException {
    long seed = Long.getLong("ordo.seed", new Random().nextLong());
    System.out.println(
        "SubscriptionLagTest seed " + seed + " (replay with -Dordo.seed=" + seed + ")");
    Random r = new Random(seed);
    open(4096); // many segments
    String[] streams = {"a", "ab", "b", "$groups"};
    for (int i = 0; i < 300; i++) {
      append(streams[r.nextInt(streams.length)], 1 + r.nextInt(20));
    }
    long end = log.nextOffset();
    String[] keys = {"stream:a", "stream:ab", "prefix:a", "all", "stream:$groups", "prefix:"};
    for (int i = 0; i < 200; i++) {
      String key = keys[r.nextInt(keys.length)];
      long from = (long) (r.nextDouble() * end);
      long to = from + (long) (r.nextDouble() * (end - from));
      // the log returns whole batches only below the commit offset: use a batch boundary
      to = boundaryAtOrBelow(to);
      SubscriptionLag.Lag lag = SubscriptionLag.of(log, key, from, to, Integer.MAX_VALUE);
      assertThat(lag.exact()).isTrue();
      assertThat(lag.records())
          .as("%s from %d to %d (seed %d)", key, from, to, seed)
          .isEqualTo(model(key, from, to));
    }
  }

  private long boundaryAtOrBelow(long offset) {
    long b = 0;
    for (Object[] a : appended) {
      long after = (long) a[1] + (int) a[2];
      if (after <= offset) {
        b = after;
      }
    }
    return b;
  }
}
