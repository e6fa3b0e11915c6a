package io.ordo.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.protocol.batch.Header;
import io.ordo.protocol.batch.RecordBatchBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecordSizeTest {
  private static final long SEED = TestSupport.seed(RecordSizeTest.class);

  @Test
  void agreesWithTheBatchBuilderOnRandomRecords() {
    Random rnd = new Random(SEED);
    for (int i = 0; i < 5_000; i++) {
      byte[] key = rnd.nextInt(4) == 0 ? null : bytes(rnd, rnd.nextInt(300));
      byte[] value =
          rnd.nextInt(8) == 0 ? null : bytes(rnd, rnd.nextInt(rnd.nextBoolean() ? 200 : 70_000));
      Header[] headers = new Header[rnd.nextInt(4)];
      for (int h = 0; h < headers.length; h++) {
        headers[h] =
            new Header(
                text(rnd, rnd.nextInt(20)),
                rnd.nextBoolean() ? null : bytes(rnd, rnd.nextInt(200)));
      }
      long delta =
          switch (rnd.nextInt(4)) {
            case 0 -> 0;
            case 1 -> rnd.nextInt(1000) - 500;
            case 2 -> rnd.nextLong();
            default -> rnd.nextInt(Integer.MAX_VALUE);
          };
      int body = RecordSize.bodyWithoutDelta(key, value, headers);
      assertThat(RecordSize.encoded(body, delta))
          .as("record %d", i)
          .isEqualTo(RecordBatchBuilder.sizeOfRecord(delta, key, value, headers));
    }
  }

  @Test
  void countsUtf8BytesLikeTheJdk() {
    Random rnd = new Random(SEED);
    for (int i = 0; i < 5_000; i++) {
      String s = text(rnd, rnd.nextInt(30));
      assertThat(RecordSize.utf8Length(s))
          .as("'%s'", s)
          .isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  private static byte[] bytes(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  /** Text mixing ASCII, 2- and 3-byte characters, surrogate pairs and lone surrogates. */
  private static String text(Random rnd, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      switch (rnd.nextInt(6)) {
        case 0 -> sb.append((char) ('a' + rnd.nextInt(26)));
        case 1 -> sb.append((char) (0x80 + rnd.nextInt(0x780)));
        case 2 -> sb.append((char) (0x800 + rnd.nextInt(0xD000 - 0x800)));
        case 3 -> sb.appendCodePoint(0x10000 + rnd.nextInt(0x100000));
        case 4 -> sb.append((char) (0xD800 + rnd.nextInt(0x800)));
        default -> sb.append((char) (0xE000 + rnd.nextInt(0x2000)));
      }
    }
    return sb.toString();
  }
}
