package io.ordo.broker.delivery;

import io.ordo.protocol.batch.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Reads the header of a batch (fixed part and stream name) from a segment file into a reused direct
 * buffer, for the walks that decide per batch without reading its records: delivery's filter and
 * the lag count. Not thread-safe: one per walking object.
 */
final class BatchHeaderReader {
  private static final int HEADER_BYTES =
      RecordBatch.FIXED_HEADER_LENGTH + RecordBatch.MAX_STREAM_NAME_LENGTH;

  private final ByteBuffer header =
      ByteBuffer.allocateDirect(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);

  /**
   * The header of the batch at {@code pos}, read no further than {@code end} (the end of a slice
   * the log returned, so whole batches whose header CRCs it checked); positions are absolute.
   */
  ByteBuffer read(FileChannel file, long pos, long end) throws IOException {
    header.clear();
    header.limit((int) Math.min(HEADER_BYTES, end - pos));
    while (header.hasRemaining()) {
      if (file.read(header, pos + header.position()) < 0) {
        throw new IOException("segment ended inside a batch header at " + pos);
      }
    }
    if (header.limit() < RecordBatch.FIXED_HEADER_LENGTH) {
      throw new IOException("batch header at " + pos + " is truncated");
    }
    return header;
  }
}
