package io.ordo.producer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordBatchBuilder;
import java.nio.ByteBuffer;

/**
 * Turns a sealed batch into wire bytes at the moment it is first sent, which is when it gets its
 * producer id, epoch and sequence; and re-stamps those fields (and the payload CRC) of an encoded
 * batch when a new producer session takes it over. One {@link RecordBatchBuilder} serves every
 * stream.
 *
 * <p>I/O thread only.
 */
final class BatchEncoder {
  private final Compression compression;
  private final int zstdLevel;
  private final ByteBufAllocator alloc;
  private final RecordBatch view = new RecordBatch();
  private RecordBatchBuilder builder;

  BatchEncoder(int maxBatchBytes, Compression compression, int zstdLevel, ByteBufAllocator alloc) {
    this.compression = compression;
    this.zstdLevel = zstdLevel;
    this.alloc = alloc;
    this.builder = new RecordBatchBuilder(maxBatchBytes, zstdLevel);
  }

  void maxBatchBytes(int maxBatchBytes) {
    if (builder.maxBatchBytes() != maxBatchBytes) {
      builder = new RecordBatchBuilder(maxBatchBytes, zstdLevel);
    }
  }

  /** True when the batch's first record cannot fit in any batch, even alone. */
  boolean firstRecordTooLarge(ProducerBatch b) {
    PendingRecord first = b.records[0];
    return RecordSize.batchOverhead(b.streamNameBytes)
            + RecordSize.encoded(first.bodyWithoutDeltaBytes, 0)
        > builder.maxBatchBytes();
  }

  int maxBatchBytes() {
    return builder.maxBatchBytes();
  }

  /**
   * Encodes as many leading records of {@code b} as fit in one batch (at least the first, which
   * must fit: see {@link #firstRecordTooLarge}).
   *
   * @return {@code b} itself when all its records fit, else a new batch holding the encoded first
   *     records while {@code b} keeps the rest
   */
  ProducerBatch encode(ProducerBatch b, long producerId, short epoch, int baseSequence) {
    builder.begin(b.stream, producerId, epoch, baseSequence, compression, false);
    int n = 0;
    while (n < b.count) {
      PendingRecord r = b.records[n];
      if (!builder.tryAppend(r.timestampMs, r.key, r.value, r.headers)) {
        break;
      }
      n++;
    }
    ByteBuffer built = builder.build();
    ByteBuf buf = alloc.directBuffer(built.remaining(), built.remaining());
    buf.writeBytes(built);
    ProducerBatch encoded = n == b.count ? b : b.splitHead(n);
    for (int i = 0; i < encoded.count; i++) {
      encoded.records[i].dropPayload();
    }
    encoded.encoded(buf, producerId, epoch, baseSequence);
    return encoded;
  }

  /** Rewrites the producer fields of an encoded batch and its payload CRC, in place. */
  void restamp(ProducerBatch b, long producerId, short epoch, int baseSequence) {
    ByteBuf buf = b.bytes;
    buf.setLongLE(RecordBatch.PRODUCER_ID_OFFSET, producerId);
    buf.setShortLE(RecordBatch.PRODUCER_EPOCH_OFFSET, epoch);
    buf.setIntLE(RecordBatch.BASE_SEQUENCE_OFFSET, baseSequence);
    int crc = view.wrap(buf.nioBuffer(0, buf.writerIndex()), 0).computePayloadCrc();
    buf.setIntLE(RecordBatch.PAYLOAD_CRC_OFFSET, crc);
    b.encoded(buf, producerId, epoch, baseSequence);
  }
}
