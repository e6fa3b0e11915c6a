package io.ordo.protocol.batch;

import com.github.luben.zstd.Zstd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Writes record batches in the format of {@link RecordBatch}. One builder is reused for many
 * batches: {@link #begin}, any number of {@link #tryAppend}, then {@link #build}. The leader's
 * fields are left for the sequencer to stamp (base offset 0, term -1, header CRC 0).
 *
 * <p>Not thread-safe. The buffer returned by {@link #build} is valid until the next {@link #begin}.
 */
public final class RecordBatchBuilder {
  private static final Header[] NO_HEADERS = new Header[0];

  private final int maxBatchBytes;
  private final int zstdLevel;
  private final ByteBuffer out;
  private final byte[] recordsScratch;
  private final ByteBuffer scratch;

  /** Where records are written: {@link #out} itself when uncompressed, else the scratch. */
  private ByteBuffer records;

  /** Position in {@link #records} of the first record. */
  private int recordsBase;

  private Compression compression = Compression.NONE;
  private int recordsStart;
  private int recordsEnd;
  private int recordCount;
  private long firstTimestamp;
  private long maxTimestamp;
  private boolean open;
  private final RecordBatch view = new RecordBatch();

  public RecordBatchBuilder(int maxBatchBytes) {
    this(maxBatchBytes, 3);
  }

  public RecordBatchBuilder(int maxBatchBytes, int zstdLevel) {
    if (maxBatchBytes < RecordBatch.FIXED_HEADER_LENGTH + RecordBatch.MAX_STREAM_NAME_LENGTH + 16
        || maxBatchBytes > RecordBatch.MAX_BATCH_LENGTH) {
      throw new IllegalArgumentException("maxBatchBytes out of range: " + maxBatchBytes);
    }
    this.maxBatchBytes = maxBatchBytes;
    this.zstdLevel = zstdLevel;
    this.out =
        ByteBuffer.allocate(
                RecordBatch.FIXED_HEADER_LENGTH
                    + RecordBatch.MAX_STREAM_NAME_LENGTH
                    + (int) Zstd.compressBound(maxBatchBytes))
            .order(ByteOrder.LITTLE_ENDIAN);
    this.recordsScratch = new byte[maxBatchBytes];
    this.scratch = ByteBuffer.wrap(recordsScratch).order(ByteOrder.LITTLE_ENDIAN);
  }

  public int maxBatchBytes() {
    return maxBatchBytes;
  }

  /** Starts a new batch for one stream. */
  public RecordBatchBuilder begin(
      String stream,
      long producerId,
      short producerEpoch,
      int baseSequence,
      Compression compression,
      boolean control) {
    byte[] name = Objects.requireNonNull(stream, "stream").getBytes(StandardCharsets.UTF_8);
    if (name.length < 1 || name.length > RecordBatch.MAX_STREAM_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "stream name must be 1.." + RecordBatch.MAX_STREAM_NAME_LENGTH + " UTF-8 bytes");
    }
    this.compression = Objects.requireNonNull(compression, "compression");
    out.clear();
    for (int i = 0; i < RecordBatch.FIXED_HEADER_LENGTH; i++) {
      out.put(i, (byte) 0);
    }
    out.put(RecordBatch.MAGIC_OFFSET, RecordBatch.MAGIC);
    out.putLong(RecordBatch.TERM_OFFSET, -1L);
    out.putLong(RecordBatch.PREV_STREAM_BATCH_OFFSET, RecordBatch.NO_PREVIOUS_BATCH);
    out.putLong(RecordBatch.PRODUCER_ID_OFFSET, producerId);
    out.putInt(RecordBatch.BASE_SEQUENCE_OFFSET, baseSequence);
    out.putShort(RecordBatch.PRODUCER_EPOCH_OFFSET, producerEpoch);
    out.putShort(RecordBatch.STREAM_NAME_LENGTH_OFFSET, (short) name.length);
    out.put(RecordBatch.STREAM_NAME_OFFSET, name);
    recordsStart = RecordBatch.STREAM_NAME_OFFSET + name.length;
    // Uncompressed records go straight to their place in the batch; zstd needs them apart.
    records = compression == Compression.NONE ? out : scratch;
    recordsBase = compression == Compression.NONE ? recordsStart : 0;
    out.putShort(
        RecordBatch.ATTRIBUTES_OFFSET,
        (short) (compression.id() | (control ? RecordBatch.CONTROL_FLAG : 0)));
    recordsEnd = 0;
    recordCount = 0;
    firstTimestamp = 0;
    maxTimestamp = Long.MIN_VALUE;
    open = true;
    return this;
  }

  public int recordCount() {
    return recordCount;
  }

  /** Bytes the batch would take uncompressed if built now. */
  public int sizeInBytes() {
    return recordsStart + recordsEnd;
  }

  /** Encoded size of one record in the records section, its length prefix included. */
  public static int sizeOfRecord(long timestampDelta, byte[] key, byte[] value, Header[] headers) {
    long body = bodySize(timestampDelta, key, value, headers == null ? NO_HEADERS : headers);
    return (int) Math.min(Integer.MAX_VALUE, withLengthPrefix(body));
  }

  /**
   * Appends one record if it fits in the batch. A record that is alone in the batch and still does
   * not fit raises {@link IllegalArgumentException}: it can never be sent.
   *
   * @return false when the batch is full; the record was not added
   */
  public boolean tryAppend(long timestamp, byte[] key, byte[] value, Header[] headers) {
    if (!open) {
      throw new IllegalStateException("begin() first");
    }
    Header[] hs = headers == null ? NO_HEADERS : headers;
    long delta = recordCount == 0 ? 0 : timestamp - firstTimestamp;
    long body = bodySize(delta, key, value, hs);
    long size = withLengthPrefix(body);
    if (recordsStart + recordsEnd + size > maxBatchBytes) {
      if (recordCount == 0) {
        throw new IllegalArgumentException(
            "a record of "
                + size
                + " bytes cannot fit in a batch of at most "
                + maxBatchBytes
                + " bytes");
      }
      return false;
    }
    if (recordCount == 0) {
      firstTimestamp = timestamp;
    }
    // records is a heap buffer (array offset 0) with room for size more bytes: checked above
    byte[] a = records.array();
    int pos = Varint.writeUnsigned(a, recordsBase + recordsEnd, (int) body);
    pos = Varint.writeSignedLong(a, pos, delta);
    pos = writeBytes(a, pos, key);
    pos = writeBytes(a, pos, value);
    pos = Varint.writeUnsigned(a, pos, hs.length);
    for (Header h : hs) {
      byte[] k = h.keyUtf8();
      pos = Varint.writeUnsigned(a, pos, k.length);
      System.arraycopy(k, 0, a, pos, k.length);
      pos += k.length;
      pos = writeBytes(a, pos, h.valueUnsafe());
    }
    recordsEnd = pos - recordsBase;
    recordCount++;
    maxTimestamp = Math.max(maxTimestamp, timestamp);
    return true;
  }

  /**
   * Seals the batch: compresses the records if asked (keeping them raw when zstd does not make them
   * smaller), writes length, count, timestamps and the payload CRC.
   *
   * @return a little-endian buffer holding exactly the batch, position 0
   */
  public ByteBuffer build() {
    if (!open || recordCount == 0) {
      throw new IllegalStateException("no records in the batch");
    }
    open = false;
    int end = recordsStart;
    boolean compressed = false;
    if (compression == Compression.ZSTD) {
      long n =
          Zstd.compressByteArray(
              out.array(),
              recordsStart,
              out.capacity() - recordsStart,
              recordsScratch,
              0,
              recordsEnd,
              zstdLevel);
      if (Zstd.isError(n)) {
        throw new IllegalStateException("zstd compression failed: " + Zstd.getErrorName(n));
      }
      if (n < recordsEnd) {
        end += (int) n;
        compressed = true;
      }
    }
    if (!compressed) {
      if (records != out) {
        out.put(recordsStart, recordsScratch, 0, recordsEnd);
      }
      end += recordsEnd;
      int attrs = out.getShort(RecordBatch.ATTRIBUTES_OFFSET) & ~RecordBatch.CODEC_MASK;
      out.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) attrs);
    }
    out.putInt(RecordBatch.LENGTH_OFFSET, end);
    out.putInt(RecordBatch.RECORD_COUNT_OFFSET, recordCount);
    out.putLong(RecordBatch.FIRST_TIMESTAMP_OFFSET, firstTimestamp);
    out.putLong(RecordBatch.MAX_TIMESTAMP_OFFSET, maxTimestamp);
    ByteBuffer batch = out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    batch.position(0).limit(end);
    out.putInt(RecordBatch.PAYLOAD_CRC_OFFSET, view.wrap(batch, 0).computePayloadCrc());
    return batch;
  }

  private static int writeBytes(byte[] a, int pos, byte[] bytes) {
    if (bytes == null) {
      return Varint.writeSigned(a, pos, -1);
    }
    pos = Varint.writeSigned(a, pos, bytes.length);
    System.arraycopy(bytes, 0, a, pos, bytes.length);
    return pos + bytes.length;
  }

  /** Size of a record's body; a long so that huge keys and values cannot wrap around. */
  private static long bodySize(long delta, byte[] key, byte[] value, Header[] headers) {
    long body = Varint.sizeOfSignedLong(delta) + sizeOfBytes(key) + sizeOfBytes(value);
    body += Varint.sizeOfUnsigned(headers.length);
    for (Header h : headers) {
      int k = h.keyUtf8().length;
      body += Varint.sizeOfUnsigned(k) + k + sizeOfBytes(h.valueUnsafe());
    }
    return body;
  }

  private static long withLengthPrefix(long body) {
    return body > Integer.MAX_VALUE ? body : Varint.sizeOfUnsigned((int) body) + body;
  }

  private static long sizeOfBytes(byte[] bytes) {
    return bytes == null
        ? Varint.sizeOfSigned(-1)
        : Varint.sizeOfSigned(bytes.length) + (long) bytes.length;
  }
}
