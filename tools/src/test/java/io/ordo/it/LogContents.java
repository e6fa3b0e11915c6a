package io.ordo.it;

import io.ordo.broker.storage.Log;
import io.ordo.broker.storage.LogClock;
import io.ordo.broker.storage.LogConfig;
import io.ordo.protocol.batch.RecordCursor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads back what a stopped node stored: every data record (control batches skipped) as (offset,
 * stream, value), through the storage log's own CRC-checked reader.
 */
final class LogContents {
  record Stored(long offset, String stream, byte[] value) {
    long producer() {
      return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    long sequence() {
      return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong(8);
    }
  }

  private LogContents() {}

  static List<Stored> read(Path dataDir) throws IOException {
    List<Stored> out = new ArrayList<>();
    RecordCursor cursor = new RecordCursor(16 * 1024 * 1024);
    try (Log log = Log.open(LogConfig.builder(dataDir.resolve("log")).build(), LogClock.SYSTEM)) {
      log.forEachBatch(
          log.startOffset(),
          batch -> {
            if (batch.isControl()) {
              return;
            }
            String stream = batch.streamName();
            cursor.reset(batch);
            while (cursor.next()) {
              out.add(new Stored(cursor.offset(), stream, cursor.value()));
            }
          });
    }
    return out;
  }

  /** A test value: producer index, sequence, then filler up to {@code size} bytes. */
  static byte[] value(long producer, long sequence, int size) {
    ByteBuffer b = ByteBuffer.allocate(Math.max(16, size)).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(producer).putLong(sequence);
    return b.array();
  }
}
