package io.ordo.protocol.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ordo.protocol.RandomInputs;
import io.ordo.protocol.SeededRandom;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Property: whatever is appended to a {@link RecordBatchBuilder} reads back unchanged through
 * {@link RecordBatch} and {@link RecordCursor}, after validation and stamping, wherever the batch
 * sits in whichever kind of buffer.
 */
class RecordBatchRoundTripTest {
  private static final int CASES = 2_500;
  private static final int SLOW_CASES = 100_000;

  private record Rec(long timestamp, byte[] key, byte[] value, Header[] headers) {}

  @Test
  void everyFieldReadsBackAsWritten() {
    roundTrips("RecordBatchRoundTripTest.everyFieldReadsBackAsWritten", CASES);
  }

  @Test
  @Tag("slow")
  void everyFieldReadsBackAsWrittenManyMoreTimes() {
    roundTrips("RecordBatchRoundTripTest.everyFieldReadsBackAsWrittenManyMoreTimes", SLOW_CASES);
  }

  private static void roundTrips(String test, int cases) {
    Random r = SeededRandom.create(test);
    RecordCursor cursor = new RecordCursor(RecordBatch.MAX_BATCH_LENGTH);
    RecordBatch batch = new RecordBatch();
    int fullBatches = 0;
    int zstdBatches = 0;
    for (int c = 0; c < cases; c++) {
      int maxBatchBytes = maxBatchBytes(r);
      RecordBatchBuilder builder = new RecordBatchBuilder(maxBatchBytes, 1 + r.nextInt(5));
      for (int reuse = 0; reuse < 1 + r.nextInt(2); reuse++) {
        String stream =
            RandomInputs.utf8OfLength(r, 1 + r.nextInt(RecordBatch.MAX_STREAM_NAME_LENGTH));
        long producerId = RandomInputs.edgyLong(r);
        short epoch = (short) RandomInputs.edgyInt(r);
        int baseSequence = RandomInputs.edgyInt(r);
        Compression compression = r.nextBoolean() ? Compression.NONE : Compression.ZSTD;
        boolean control = r.nextInt(8) == 0;
        builder.begin(stream, producerId, epoch, baseSequence, compression, control);

        List<Rec> written = new ArrayList<>();
        long firstTimestamp = RandomInputs.edgyLong(r);
        int wanted = r.nextInt(4) == 0 ? Integer.MAX_VALUE : 1 + r.nextInt(30);
        boolean full = false;
        while (written.size() < wanted && written.size() < 2_000) {
          Rec rec = randomRecord(r, firstTimestamp, maxBatchBytes / 4);
          int before = builder.sizeInBytes();
          long delta = written.isEmpty() ? 0 : rec.timestamp - written.get(0).timestamp;
          int size = RecordBatchBuilder.sizeOfRecord(delta, rec.key, rec.value, rec.headers);
          if (written.isEmpty() && before + size > maxBatchBytes) {
            assertThatThrownBy(
                    () -> builder.tryAppend(rec.timestamp, rec.key, rec.value, rec.headers))
                .isInstanceOf(IllegalArgumentException.class);
            continue;
          }
          boolean added = builder.tryAppend(rec.timestamp, rec.key, rec.value, rec.headers);
          assertThat(added).isEqualTo(before + size <= maxBatchBytes);
          if (!added) {
            assertThat(builder.sizeInBytes()).isEqualTo(before);
            assertThat(builder.recordCount()).isEqualTo(written.size());
            full = true;
            break;
          }
          assertThat(builder.sizeInBytes()).isEqualTo(before + size);
          written.add(rec);
        }
        if (full) {
          fullBatches++;
        }
        ByteBuffer built = builder.build();
        assertThat(built.position()).isZero();
        assertThat(built.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(built.remaining()).isLessThanOrEqualTo(builder.sizeInBytes());

        ByteBuffer placed = place(r, built);
        int at = placed.position();
        ByteOrder order = placed.order();
        assertThat(
                RecordBatch.checkedLength(
                    placed, at, placed.limit() - at, RecordBatch.MAX_BATCH_LENGTH))
            .isEqualTo(built.remaining());
        assertThat(placed.order()).isEqualTo(order);
        batch.wrap(placed, at);
        batch.validatePayload();
        long baseOffset = RandomInputs.edgyLong(r);
        long term = RandomInputs.edgyLong(r);
        long baseStreamVersion = RandomInputs.edgyLong(r);
        long prev = RandomInputs.edgyLong(r);
        long appendTs = RandomInputs.edgyLong(r);
        batch.stamp(baseOffset, term, baseStreamVersion, prev, appendTs);
        batch.ensureValid();

        assertThat(batch.length()).isEqualTo(built.remaining());
        assertThat(batch.magic()).isEqualTo(RecordBatch.MAGIC);
        assertThat(batch.baseOffset()).isEqualTo(baseOffset);
        assertThat(batch.term()).isEqualTo(term);
        assertThat(batch.baseStreamVersion()).isEqualTo(baseStreamVersion);
        assertThat(batch.prevStreamBatchOffset()).isEqualTo(prev);
        assertThat(batch.appendTimestamp()).isEqualTo(appendTs);
        assertThat(batch.producerId()).isEqualTo(producerId);
        assertThat(batch.producerEpoch()).isEqualTo(epoch);
        assertThat(batch.baseSequence()).isEqualTo(baseSequence);
        assertThat(batch.lastSequence()).isEqualTo(baseSequence + written.size() - 1);
        assertThat(batch.recordCount()).isEqualTo(written.size());
        assertThat(batch.lastOffset()).isEqualTo(baseOffset + written.size() - 1);
        assertThat(batch.nextOffset()).isEqualTo(baseOffset + written.size());
        assertThat(batch.firstTimestamp()).isEqualTo(written.get(0).timestamp);
        assertThat(batch.maxTimestamp())
            .isEqualTo(written.stream().mapToLong(Rec::timestamp).max().orElseThrow());
        assertThat(batch.isControl()).isEqualTo(control);
        if (compression == Compression.NONE) {
          assertThat(batch.compression()).isEqualTo(Compression.NONE);
        } else if (batch.compression() == Compression.ZSTD) {
          zstdBatches++;
        }
        assertThat(batch.attributes() & ~(RecordBatch.CODEC_MASK | RecordBatch.CONTROL_FLAG))
            .isZero();
        checkStreamName(r, batch, stream);

        cursor.reset(batch);
        for (int i = 0; i < written.size(); i++) {
          assertThat(cursor.next()).isTrue();
          Rec rec = written.get(i);
          assertThat(cursor.index()).isEqualTo(i);
          assertThat(cursor.offset()).isEqualTo(baseOffset + i);
          assertThat(cursor.streamVersion()).isEqualTo(baseStreamVersion + i);
          assertThat(cursor.timestamp()).isEqualTo(rec.timestamp);
          assertThat(cursor.key()).isEqualTo(rec.key);
          assertThat(cursor.value()).isEqualTo(rec.value);
          assertThat(cursor.keyLength()).isEqualTo(rec.key == null ? -1 : rec.key.length);
          assertThat(cursor.valueLength()).isEqualTo(rec.value == null ? -1 : rec.value.length);
          assertThat(cursor.headerCount()).isEqualTo(rec.headers.length);
          assertThat(cursor.headers()).containsExactly(rec.headers);
          for (int h = 0; h < rec.headers.length; h++) {
            assertThat(cursor.headerKey(h)).isEqualTo(rec.headers[h].key());
            assertThat(cursor.headerValue(h)).isEqualTo(rec.headers[h].value());
          }
          if (rec.value != null) {
            byte[] direct = new byte[rec.value.length];
            cursor.buffer().get(cursor.valuePosition(), direct);
            assertThat(direct).isEqualTo(rec.value);
          }
        }
        assertThat(cursor.next()).isFalse();
        assertThat(cursor.next()).isFalse();
        cursor.validate(batch);
      }
    }
    System.out.println(
        "round trip: " + cases + " builders, " + fullBatches + " filled, " + zstdBatches + " zstd");
    assertThat(fullBatches).isPositive();
    assertThat(zstdBatches).isPositive();
  }

  @Test
  void aRecordThatCanNeverFitIsRefusedAndAFullBatchSaysSo() {
    RecordBatchBuilder b = new RecordBatchBuilder(1024);
    b.begin("s", -1, (short) 0, -1, Compression.NONE, false);
    assertThatThrownBy(() -> b.tryAppend(0, null, new byte[1024], null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(b.tryAppend(0, null, new byte[800], null)).isTrue();
    assertThat(b.tryAppend(0, null, new byte[800], null)).isFalse();
    assertThat(b.recordCount()).isEqualTo(1);
    assertThatThrownBy(() -> new RecordBatchBuilder(10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.begin("", -1, (short) 0, -1, Compression.NONE, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.begin("x".repeat(256), -1, (short) 0, -1, Compression.NONE, false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void checkStreamName(Random r, RecordBatch batch, String stream) {
    byte[] name = stream.getBytes(StandardCharsets.UTF_8);
    assertThat(batch.streamName()).isEqualTo(stream);
    assertThat(batch.streamNameLength()).isEqualTo(name.length);
    assertThat(batch.recordsOffset()).isEqualTo(RecordBatch.STREAM_NAME_OFFSET + name.length);
    assertThat(batch.streamNameEquals(name)).isTrue();
    assertThat(batch.streamNameStartsWith(name)).isTrue();
    assertThat(batch.streamNameStartsWith(new byte[0])).isTrue();
    byte[] prefix = Arrays.copyOf(name, r.nextInt(name.length + 1));
    assertThat(batch.streamNameStartsWith(prefix)).isTrue();
    assertThat(batch.streamNameEquals(prefix)).isEqualTo(prefix.length == name.length);
    byte[] longer = Arrays.copyOf(name, name.length + 1);
    assertThat(batch.streamNameEquals(longer)).isFalse();
    assertThat(batch.streamNameStartsWith(longer)).isFalse();
    byte[] changed = name.clone();
    int i = r.nextInt(changed.length);
    changed[i] ^= (byte) (1 << r.nextInt(8));
    assertThat(batch.streamNameEquals(changed)).isFalse();
    assertThat(batch.streamNameStartsWith(changed)).isFalse();
    assertThat(batch.streamNameStartsWith(Arrays.copyOf(changed, i + 1))).isFalse();
  }

  private static int maxBatchBytes(Random r) {
    int min = RecordBatch.FIXED_HEADER_LENGTH + RecordBatch.MAX_STREAM_NAME_LENGTH + 16;
    switch (r.nextInt(10)) {
      case 0:
        return min + r.nextInt(64);
      case 1:
        return 64 * 1024 + r.nextInt(192 * 1024);
      default:
        return min + r.nextInt(8 * 1024);
    }
  }

  private static Rec randomRecord(Random r, long firstTimestamp, int large) {
    long ts;
    switch (r.nextInt(5)) {
      case 0:
        ts = RandomInputs.edgyLong(r);
        break;
      case 1:
        ts = firstTimestamp;
        break;
      default:
        ts = firstTimestamp + r.nextInt(2_000_001) - 1_000_000;
    }
    int headerCount = r.nextInt(3) == 0 ? r.nextInt(r.nextInt(10) == 0 ? 40 : 5) : 0;
    Header[] headers = new Header[headerCount];
    for (int i = 0; i < headerCount; i++) {
      headers[i] = new Header(RandomInputs.utf8UpTo(r, 60), RandomInputs.bytes(r, 100));
    }
    return new Rec(ts, RandomInputs.bytes(r, large), RandomInputs.bytes(r, large), headers);
  }

  /** Copies the batch to a random offset of a heap or direct buffer of either byte order. */
  private static ByteBuffer place(Random r, ByteBuffer built) {
    int pick = r.nextInt(4);
    if (pick == 0) {
      return built.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }
    int before = r.nextInt(64);
    int after = r.nextInt(64);
    int size = before + built.remaining() + after;
    ByteBuffer b = pick == 1 ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    b.order(r.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    byte[] junk = new byte[size];
    r.nextBytes(junk);
    b.put(junk);
    b.put(before, built.duplicate(), 0, built.remaining());
    b.position(before);
    return b;
  }
}
