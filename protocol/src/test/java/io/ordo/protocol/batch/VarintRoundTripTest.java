package io.ordo.protocol.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ordo.protocol.CorruptBatchException;
import io.ordo.protocol.RandomInputs;
import io.ordo.protocol.SeededRandom;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property: every int and long encodes to the size the size functions predict and decodes back to
 * itself, ending exactly where the encoding ends; truncated and non-minimal encodings are refused.
 */
class VarintRoundTripTest {
  private static final int CASES = 100_000;
  private static final int TRUNCATION_EVERY = 16;

  @Test
  void unsignedAndSignedIntsRoundTrip() {
    Random r = SeededRandom.create("VarintRoundTripTest.unsignedAndSignedIntsRoundTrip");
    ByteBuffer buf = ByteBuffer.allocate(64);
    for (int c = 0; c < CASES; c++) {
      int v = RandomInputs.edgyInt(r);
      int at = r.nextInt(40);
      int limit = at + 5 + r.nextInt(10);

      int end = Varint.writeUnsigned(buf, at, v);
      assertThat(end - at).isEqualTo(Varint.sizeOfUnsigned(v)).isBetween(1, 5);
      long packed = Varint.readUnsigned(buf, at, limit);
      assertThat(Varint.value(packed)).isEqualTo(v);
      assertThat(Varint.position(packed)).isEqualTo(end);
      if (c % TRUNCATION_EVERY == 0) {
        assertTruncationsRefused(buf, at, end, false);
      }

      end = Varint.writeSigned(buf, at, v);
      assertThat(end - at).isEqualTo(Varint.sizeOfSigned(v)).isBetween(1, 5);
      packed = Varint.readSigned(buf, at, limit);
      assertThat(Varint.value(packed)).isEqualTo(v);
      assertThat(Varint.position(packed)).isEqualTo(end);
      if (c % TRUNCATION_EVERY == 0) {
        assertTruncationsRefused(buf, at, end, false);
      }
      // A signed int is also a valid signed long of the same size.
      assertThat(Varint.sizeOfSignedLong(v)).isEqualTo(Varint.sizeOfSigned(v));
      assertThat(Varint.readSignedLong(buf, at, limit)).isEqualTo(v);
    }
  }

  @Test
  void signedLongsRoundTrip() {
    Random r = SeededRandom.create("VarintRoundTripTest.signedLongsRoundTrip");
    ByteBuffer buf = ByteBuffer.allocateDirect(64);
    for (int c = 0; c < CASES; c++) {
      long v = RandomInputs.edgyLong(r);
      int at = r.nextInt(40);
      int end = Varint.writeSignedLong(buf, at, v);
      assertThat(end - at).isEqualTo(Varint.sizeOfSignedLong(v)).isBetween(1, 10);
      assertThat(Varint.readSignedLong(buf, at, end + r.nextInt(5))).isEqualTo(v);
      if (c % TRUNCATION_EVERY == 0) {
        assertTruncationsRefused(buf, at, end, true);
      }
    }
  }

  @Test
  void theArrayWritersWriteTheBufferWritersBytes() {
    Random r = SeededRandom.create("VarintRoundTripTest.theArrayWritersWriteTheBufferWritersBytes");
    ByteBuffer buf = ByteBuffer.allocate(64);
    for (int c = 0; c < CASES; c++) {
      int v = RandomInputs.edgyInt(r);
      long lv = RandomInputs.edgyLong(r);
      int at = r.nextInt(40);
      byte[] a = new byte[64];
      assertThat(Varint.writeUnsigned(a, at, v)).isEqualTo(Varint.writeUnsigned(buf, at, v));
      assertThat(a).isEqualTo(copyWithZerosAround(buf, at, Varint.sizeOfUnsigned(v)));
      a = new byte[64];
      assertThat(Varint.writeSigned(a, at, v)).isEqualTo(Varint.writeSigned(buf, at, v));
      assertThat(a).isEqualTo(copyWithZerosAround(buf, at, Varint.sizeOfSigned(v)));
      a = new byte[64];
      assertThat(Varint.writeSignedLong(a, at, lv)).isEqualTo(Varint.writeSignedLong(buf, at, lv));
      assertThat(a).isEqualTo(copyWithZerosAround(buf, at, Varint.sizeOfSignedLong(lv)));
    }
  }

  /** A 64-byte array holding {@code buf[at, at + n)} at {@code at} and zeros elsewhere. */
  private static byte[] copyWithZerosAround(ByteBuffer buf, int at, int n) {
    byte[] expected = new byte[64];
    buf.get(at, expected, at, n);
    return expected;
  }

  @Test
  void sizesChangeExactlyAtSevenBitBoundaries() {
    for (int bits = 0; bits <= 32; bits++) {
      int expected = Math.max(1, (bits + 6) / 7);
      int v = bits == 0 ? 0 : (int) ((1L << bits) - 1);
      assertThat(Varint.sizeOfUnsigned(v)).as("%d bits", bits).isEqualTo(expected);
    }
    for (int bits = 0; bits <= 64; bits++) {
      int expected = Math.max(1, (bits + 6) / 7);
      long zigzag = bits == 0 ? 0 : bits == 64 ? -1L : (1L << bits) - 1;
      long v = (zigzag >>> 1) ^ -(zigzag & 1);
      assertThat(Varint.sizeOfSignedLong(v)).as("%d bits", bits).isEqualTo(expected);
    }
    assertThat(Varint.sizeOfSigned(-1)).isEqualTo(1);
    assertThat(Varint.sizeOfSigned(Integer.MIN_VALUE)).isEqualTo(5);
    assertThat(Varint.sizeOfSignedLong(Long.MIN_VALUE)).isEqualTo(10);
  }

  @Test
  void nonMinimalAndOverlongEncodingsAreRefused() {
    assertRefused(false, 0x80, 0x00);
    assertRefused(false, 0xff, 0x80, 0x00);
    assertRefused(false, 0xff, 0xff, 0xff, 0xff, 0x10);
    assertRefused(false, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    assertRefused(true, 0x80, 0x00);
    assertRefused(true, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02);
    assertRefused(true, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    ByteBuffer max = ByteBuffer.wrap(bytes(0xff, 0xff, 0xff, 0xff, 0x0f));
    assertThat(Varint.value(Varint.readUnsigned(max, 0, 5))).isEqualTo(-1);
    ByteBuffer maxLong =
        ByteBuffer.wrap(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01));
    assertThat(Varint.readSignedLong(maxLong, 0, 10)).isEqualTo(Long.MIN_VALUE);
  }

  private static void assertRefused(boolean asLong, int... encoding) {
    ByteBuffer buf = ByteBuffer.wrap(bytes(encoding));
    if (asLong) {
      assertThatThrownBy(() -> Varint.readSignedLong(buf, 0, buf.limit()))
          .isInstanceOf(CorruptBatchException.class);
    } else {
      assertThatThrownBy(() -> Varint.readUnsigned(buf, 0, buf.limit()))
          .isInstanceOf(CorruptBatchException.class);
      assertThatThrownBy(() -> Varint.readSigned(buf, 0, buf.limit()))
          .isInstanceOf(CorruptBatchException.class);
    }
  }

  private static void assertTruncationsRefused(ByteBuffer buf, int at, int end, boolean asLong) {
    for (int limit = at; limit < end; limit++) {
      int l = limit;
      if (asLong) {
        assertThatThrownBy(() -> Varint.readSignedLong(buf, at, l))
            .isInstanceOf(CorruptBatchException.class);
      } else {
        assertThatThrownBy(() -> Varint.readUnsigned(buf, at, l))
            .isInstanceOf(CorruptBatchException.class);
      }
    }
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }
}
