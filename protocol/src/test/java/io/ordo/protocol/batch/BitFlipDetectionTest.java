package io.ordo.protocol.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.ordo.protocol.CorruptBatchException;
import io.ordo.protocol.RandomInputs;
import io.ordo.protocol.SeededRandom;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property: flipping any single bit of a built and stamped batch, header or payload, makes {@link
 * RecordBatch#ensureValid} raise {@link CorruptBatchException}; flipping it back makes the batch
 * valid again. Every bit position of a few batches of both codecs is tried.
 */
class BitFlipDetectionTest {
  @Test
  void everySingleBitFlipIsDetected() {
    Random r = SeededRandom.create("BitFlipDetectionTest.everySingleBitFlipIsDetected");
    RecordBatchBuilder builder = new RecordBatchBuilder(16 * 1024);
    int flips = 0;
    for (int b = 0; b < 6; b++) {
      Compression compression = b % 2 == 0 ? Compression.NONE : Compression.ZSTD;
      builder.begin(
          RandomInputs.utf8OfLength(r, 1 + r.nextInt(30)),
          r.nextLong(),
          (short) r.nextInt(),
          r.nextInt(),
          compression,
          b == 5);
      // Batch 1 must really be compressed: zstd output that is not smaller is stored raw.
      boolean compressible = b == 1;
      int records = compressible ? 20 : 1 + r.nextInt(b < 2 ? 3 : 30);
      for (int i = 0; i < records; i++) {
        byte[] value = new byte[compressible ? 40 : r.nextInt(60)];
        for (int k = 0; k < value.length; k++) {
          value[k] = (byte) ('a' + (k % 5));
        }
        Header[] headers =
            r.nextBoolean()
                ? null
                : new Header[] {new Header("h" + i, r.nextBoolean() ? null : value)};
        builder.tryAppend(
            1_700_000_000_000L + r.nextInt(1000),
            compressible ? null : RandomInputs.bytes(r, 50),
            value,
            headers);
      }
      ByteBuffer built = builder.build();
      ByteBuffer batchBytes = ByteBuffer.allocate(built.remaining());
      batchBytes.put(built).flip();
      RecordBatch batch = new RecordBatch().wrap(batchBytes, 0);
      batch.stamp(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong());
      batch.ensureValid();
      if (b == 1) {
        assertThat(batch.compression()).isEqualTo(Compression.ZSTD);
      }

      for (int bit = 0; bit < batchBytes.limit() * 8; bit++) {
        flip(batchBytes, bit);
        try {
          batch.ensureValid();
          fail("flip of bit " + bit + " of " + batch + " was not detected");
        } catch (CorruptBatchException expected) {
          flips++;
        }
        if (bit >= RecordBatch.PAYLOAD_CRC_OFFSET * 8) {
          try {
            batch.validatePayload();
            fail("flip of payload bit " + bit + " of " + batch + " was not detected");
          } catch (CorruptBatchException expected) {
            // the producer's CRC catches it before the leader stamps
          }
        }
        flip(batchBytes, bit);
      }
      batch.ensureValid();
      new RecordCursor(1 << 20).validate(batch);
    }
    System.out.println("bit flips detected: " + flips);
  }

  private static void flip(ByteBuffer b, int bit) {
    int i = bit >>> 3;
    b.put(i, (byte) (b.get(i) ^ (1 << (bit & 7))));
  }
}
