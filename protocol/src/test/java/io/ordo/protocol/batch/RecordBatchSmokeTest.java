package io.ordo.protocol.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordBatchSmokeTest {
  @Test
  void buildsStampsAndReadsBackABatch() {
    for (Compression c : Compression.values()) {
      RecordBatchBuilder b = new RecordBatchBuilder(64 * 1024);
      b.begin("orders", 7L, (short) 2, 10, c, false);
      for (int i = 0; i < 100; i++) {
        byte[] v = ("value-" + i).repeat(3).getBytes(StandardCharsets.UTF_8);
        assertThat(b.tryAppend(1000 + i, null, v, new Header[] {new Header("h", new byte[] {1})}))
            .isTrue();
      }
      ByteBuffer buf = b.build();
      RecordBatch batch = new RecordBatch().wrap(buf, 0);
      batch.validatePayload();
      batch.stamp(500, 3, 40, -1, 123456);
      batch.ensureValid();
      assertThat(batch.compression()).isEqualTo(c);
      assertThat(batch.streamName()).isEqualTo("orders");
      RecordCursor cur = new RecordCursor(1 << 20).reset(batch);
      int n = 0;
      while (cur.next()) {
        assertThat(cur.offset()).isEqualTo(500 + n);
        assertThat(cur.streamVersion()).isEqualTo(40 + n);
        assertThat(cur.timestamp()).isEqualTo(1000 + n);
        assertThat(cur.key()).isNull();
        assertThat(new String(cur.value(), StandardCharsets.UTF_8))
            .isEqualTo(("value-" + n).repeat(3));
        assertThat(cur.headers()).containsExactly(new Header("h", new byte[] {1}));
        n++;
      }
      assertThat(n).isEqualTo(100);
    }
  }

  @Test
  void zstdBatchSmallerThanItsRecordCountIsValid() {
    RecordBatchBuilder b = new RecordBatchBuilder(256 * 1024);
    b.begin("s", -1, (short) 0, -1, Compression.ZSTD, false);
    int n = 0;
    while (b.tryAppend(5, null, new byte[0], null)) {
      n++;
    }
    RecordBatch batch = new RecordBatch().wrap(b.build(), 0);
    assertThat(batch.compression()).isEqualTo(Compression.ZSTD);
    assertThat(batch.recordsLength()).isLessThan(n);
    batch.validatePayload();
    RecordCursor cur = new RecordCursor(1 << 20).reset(batch);
    int read = 0;
    while (cur.next()) {
      read++;
    }
    assertThat(read).isEqualTo(n);
  }
}
