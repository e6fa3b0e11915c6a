package io.ordo.broker.storage;

import io.ordo.protocol.batch.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Small helpers shared by the storage tests. */
final class LogTesting {
  private LogTesting() {}

  /** Appends the batch expected at the log's end offset and returns a copy of its bytes. */
  static byte[] appendNext(Log log, TestBatches batches, long term, long appendTimestampMs)
      throws IOException {
    ByteBuffer b = batches.batch(log.nextOffset(), term, appendTimestampMs);
    byte[] copy = bytes(b);
    log.append(b);
    return copy;
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  /** Splits the bytes of a slice into its batches. */
  static List<byte[]> batchesOf(LogSlice slice) throws IOException {
    List<byte[]> out = new ArrayList<>();
    if (slice.isEmpty()) {
      return out;
    }
    ByteBuffer all = slice.readFully();
    int pos = 0;
    while (pos < all.limit()) {
      int len = all.getInt(pos);
      byte[] one = new byte[len];
      all.get(pos, one);
      out.add(one);
      pos += len;
    }
    return out;
  }

  /** Every batch from {@code from} on, through {@link Log#forEachBatch}, as byte arrays. */
  static List<byte[]> visitAll(Log log, long from) throws IOException {
    List<byte[]> out = new ArrayList<>();
    log.forEachBatch(
        from,
        b -> {
          byte[] one = new byte[b.length()];
          b.buffer().get(b.offset(), one);
          out.add(one);
        });
    return out;
  }

  static RecordBatch view(byte[] batch) {
    return new RecordBatch().wrap(ByteBuffer.wrap(batch).order(ByteOrder.LITTLE_ENDIAN), 0);
  }

  /** Flips one bit of a file at {@code position}. */
  static void flipBit(Path file, long position, int bit) throws IOException {
    byte[] all = Files.readAllBytes(file);
    all[Math.toIntExact(position)] ^= (byte) (1 << bit);
    Files.write(file, all);
  }

  /** Cuts a file to {@code size} bytes. */
  static void truncateFile(Path file, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size);
    }
  }

  /** The file position of the batch with base offset {@code offset} in a segment file, or -1. */
  static long positionOf(Path segmentFile, long offset) throws IOException {
    ByteBuffer all =
        ByteBuffer.wrap(Files.readAllBytes(segmentFile)).order(ByteOrder.LITTLE_ENDIAN);
    int pos = 0;
    while (pos + RecordBatch.FIXED_HEADER_LENGTH <= all.limit()) {
      RecordBatch b = new RecordBatch().wrap(all, pos);
      if (b.baseOffset() == offset) {
        return pos;
      }
      if (b.length() <= 0) {
        return -1;
      }
      pos += b.length();
    }
    return -1;
  }
}
