package io.ordo.protocol.batch;

import io.ordo.protocol.CorruptBatchException;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * A flyweight over one record batch in a buffer: the unit Ordo stores on disk and sends on the
 * wire, the same bytes in both places. All integers are little-endian.
 *
 * <pre>
 * leader-stamped part (covered by the header CRC)
 *   0  int32  length                total batch size in bytes, this field included
 *   4  int8   magic                 format version, {@link #MAGIC}
 *   5  3 bytes reserved, zero
 *   8  int64  baseOffset            log offset of the first record
 *  16  int64  term                  leader term that appended the batch
 *  24  int64  baseStreamVersion     stream version of the first record
 *  32  int64  prevStreamBatchOffset base offset of the stream's previous batch, or -1
 *  40  int64  appendTimestamp       leader's clock (ms) when sequenced
 *  48  int32  headerCrc             CRC32C of bytes [0, 48)
 * producer part (covered by the payload CRC; never rewritten by the broker)
 *  52  int32  payloadCrc            CRC32C of bytes [56, length)
 *  56  int64  producerId            -1 when the producer is not idempotent
 *  64  int64  firstTimestamp        create time of the first record (ms)
 *  72  int64  maxTimestamp          largest create time in the batch (ms)
 *  80  int32  baseSequence          producer sequence of the first record, or -1
 *  84  int32  recordCount           at least 1
 *  88  int16  producerEpoch
 *  90  int16  attributes            bits 0-2 compression codec, bit 4 control batch
 *  92  int16  streamNameLength      1..{@link #MAX_STREAM_NAME_LENGTH} UTF-8 bytes
 *  94  bytes  streamName
 *  ..  records section (raw, or one zstd frame of the raw section)
 * </pre>
 *
 * <p>A flyweight is reusable ({@link #wrap}) and holds no per-record objects. Not thread-safe: one
 * instance per thread.
 */
public final class RecordBatch {
  public static final byte MAGIC = 1;

  public static final int LENGTH_OFFSET = 0;
  public static final int MAGIC_OFFSET = 4;
  public static final int BASE_OFFSET_OFFSET = 8;
  public static final int TERM_OFFSET = 16;
  public static final int BASE_STREAM_VERSION_OFFSET = 24;
  public static final int PREV_STREAM_BATCH_OFFSET = 32;
  public static final int APPEND_TIMESTAMP_OFFSET = 40;
  public static final int HEADER_CRC_OFFSET = 48;
  public static final int PAYLOAD_CRC_OFFSET = 52;
  public static final int PRODUCER_ID_OFFSET = 56;
  public static final int FIRST_TIMESTAMP_OFFSET = 64;
  public static final int MAX_TIMESTAMP_OFFSET = 72;
  public static final int BASE_SEQUENCE_OFFSET = 80;
  public static final int RECORD_COUNT_OFFSET = 84;
  public static final int PRODUCER_EPOCH_OFFSET = 88;
  public static final int ATTRIBUTES_OFFSET = 90;
  public static final int STREAM_NAME_LENGTH_OFFSET = 92;
  public static final int STREAM_NAME_OFFSET = 94;

  /** Bytes covered by the header CRC: everything before it. */
  public static final int HEADER_CRC_COVERED_LENGTH = HEADER_CRC_OFFSET;

  /** First byte covered by the payload CRC. */
  public static final int PAYLOAD_START = PRODUCER_ID_OFFSET;

  /** Size of the header before the stream name. */
  public static final int FIXED_HEADER_LENGTH = STREAM_NAME_OFFSET;

  /** Bytes needed to read {@link #length()} and the leader-stamped fields. */
  public static final int LOG_OVERHEAD = PAYLOAD_CRC_OFFSET;

  public static final int MAX_STREAM_NAME_LENGTH = 255;

  /** Hard ceiling on a batch's size, whatever the configuration says. */
  public static final int MAX_BATCH_LENGTH = 64 * 1024 * 1024;

  public static final int CODEC_MASK = 0x07;
  public static final int CONTROL_FLAG = 0x10;
  public static final long NO_PRODUCER_ID = -1L;
  public static final long NO_PREVIOUS_BATCH = -1L;
  public static final int NO_SEQUENCE = -1;

  private final CRC32C crc = new CRC32C();
  private ByteBuffer buffer;
  private int offset;

  /** Point this flyweight at the batch starting at {@code offset} in {@code buffer}. */
  public RecordBatch wrap(ByteBuffer buffer, int offset) {
    this.buffer =
        buffer.order() == ByteOrder.LITTLE_ENDIAN
            ? buffer
            : buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    this.offset = offset;
    return this;
  }

  public ByteBuffer buffer() {
    return buffer;
  }

  public int offset() {
    return offset;
  }

  // ---- leader-stamped fields ----

  public int length() {
    return buffer.getInt(offset + LENGTH_OFFSET);
  }

  public byte magic() {
    return buffer.get(offset + MAGIC_OFFSET);
  }

  public long baseOffset() {
    return buffer.getLong(offset + BASE_OFFSET_OFFSET);
  }

  public long lastOffset() {
    return baseOffset() + recordCount() - 1;
  }

  /** Offset of the record after this batch's last one. */
  public long nextOffset() {
    return baseOffset() + recordCount();
  }

  public long term() {
    return buffer.getLong(offset + TERM_OFFSET);
  }

  public long baseStreamVersion() {
    return buffer.getLong(offset + BASE_STREAM_VERSION_OFFSET);
  }

  public long prevStreamBatchOffset() {
    return buffer.getLong(offset + PREV_STREAM_BATCH_OFFSET);
  }

  public long appendTimestamp() {
    return buffer.getLong(offset + APPEND_TIMESTAMP_OFFSET);
  }

  public int headerCrc() {
    return buffer.getInt(offset + HEADER_CRC_OFFSET);
  }

  // ---- producer fields ----

  public int payloadCrc() {
    return buffer.getInt(offset + PAYLOAD_CRC_OFFSET);
  }

  public long producerId() {
    return buffer.getLong(offset + PRODUCER_ID_OFFSET);
  }

  public long firstTimestamp() {
    return buffer.getLong(offset + FIRST_TIMESTAMP_OFFSET);
  }

  public long maxTimestamp() {
    return buffer.getLong(offset + MAX_TIMESTAMP_OFFSET);
  }

  public int baseSequence() {
    return buffer.getInt(offset + BASE_SEQUENCE_OFFSET);
  }

  public int lastSequence() {
    return baseSequence() + recordCount() - 1;
  }

  public int recordCount() {
    return buffer.getInt(offset + RECORD_COUNT_OFFSET);
  }

  public short producerEpoch() {
    return buffer.getShort(offset + PRODUCER_EPOCH_OFFSET);
  }

  public int attributes() {
    return buffer.getShort(offset + ATTRIBUTES_OFFSET) & 0xFFFF;
  }

  public Compression compression() {
    return Compression.forId(attributes() & CODEC_MASK);
  }

  public boolean isControl() {
    return (attributes() & CONTROL_FLAG) != 0;
  }

  public int streamNameLength() {
    return buffer.getShort(offset + STREAM_NAME_LENGTH_OFFSET) & 0xFFFF;
  }

  /** Decodes the stream name (allocates; use {@link #streamNameEquals} on hot paths). */
  public String streamName() {
    int n = streamNameLength();
    byte[] bytes = new byte[n];
    buffer.get(offset + STREAM_NAME_OFFSET, bytes, 0, n);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Compares the stream name with UTF-8 bytes without allocating. */
  public boolean streamNameEquals(byte[] utf8) {
    int n = streamNameLength();
    if (n != utf8.length) {
      return false;
    }
    int base = offset + STREAM_NAME_OFFSET;
    for (int i = 0; i < n; i++) {
      if (buffer.get(base + i) != utf8[i]) {
        return false;
      }
    }
    return true;
  }

  /** True when the stream name starts with the given UTF-8 bytes. */
  public boolean streamNameStartsWith(byte[] utf8Prefix) {
    int n = streamNameLength();
    if (n < utf8Prefix.length) {
      return false;
    }
    int base = offset + STREAM_NAME_OFFSET;
    for (int i = 0; i < utf8Prefix.length; i++) {
      if (buffer.get(base + i) != utf8Prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** Position (relative to the batch start) of the records section. */
  public int recordsOffset() {
    return STREAM_NAME_OFFSET + streamNameLength();
  }

  public int recordsLength() {
    return length() - recordsOffset();
  }

  // ---- stamping (leader only) ----

  /**
   * Stamps the leader's fields in place and seals them with the header CRC. The payload and its CRC
   * are not touched.
   */
  public void stamp(
      long baseOffset,
      long term,
      long baseStreamVersion,
      long prevStreamBatchOffset,
      long appendTimestamp) {
    buffer.putLong(offset + BASE_OFFSET_OFFSET, baseOffset);
    buffer.putLong(offset + TERM_OFFSET, term);
    buffer.putLong(offset + BASE_STREAM_VERSION_OFFSET, baseStreamVersion);
    buffer.putLong(offset + PREV_STREAM_BATCH_OFFSET, prevStreamBatchOffset);
    buffer.putLong(offset + APPEND_TIMESTAMP_OFFSET, appendTimestamp);
    buffer.putInt(offset + HEADER_CRC_OFFSET, computeHeaderCrc());
  }

  public int computeHeaderCrc() {
    return crcOf(offset, HEADER_CRC_COVERED_LENGTH);
  }

  public int computePayloadCrc() {
    return crcOf(offset + PAYLOAD_START, length() - PAYLOAD_START);
  }

  private int crcOf(int from, int length) {
    crc.reset();
    crc.update(buffer.slice(from, length));
    return (int) crc.getValue();
  }

  // ---- validation ----

  /**
   * Reads the length prefix of the batch at {@code offset} and checks that it is plausible and that
   * the whole batch fits in {@code available} bytes. Allocates nothing.
   *
   * @return the batch length
   * @throws CorruptBatchException when the length is out of range
   */
  public static int checkedLength(ByteBuffer buffer, int offset, int available, int maxLength) {
    if (available < FIXED_HEADER_LENGTH) {
      throw new CorruptBatchException(
          "batch of " + available + " bytes is shorter than the header");
    }
    int raw = buffer.getInt(offset + LENGTH_OFFSET);
    int length = buffer.order() == ByteOrder.LITTLE_ENDIAN ? raw : Integer.reverseBytes(raw);
    if (length < FIXED_HEADER_LENGTH + 1) {
      throw new CorruptBatchException("batch length " + length + " is below the minimum");
    }
    int limit = Math.min(maxLength, MAX_BATCH_LENGTH);
    if (length > limit) {
      throw new OrdoException(
          ErrorCode.BATCH_TOO_LARGE,
          "batch length " + length + " exceeds the limit of " + limit + " bytes");
    }
    if (length > available) {
      throw new CorruptBatchException(
          "batch length " + length + " exceeds the " + available + " bytes present");
    }
    return length;
  }

  /**
   * Checks what the producer wrote: magic, length, the payload CRC, then field ranges. This is the
   * check the leader runs once on arrival. It does not look inside the records section; see {@link
   * RecordCursor#validate}.
   *
   * @throws CorruptBatchException when the bytes are damaged (any single flipped bit lands here)
   * @throws OrdoException INVALID_BATCH when the CRC matches but a field is out of range, that is
   *     the producer really wrote it that way
   */
  public void validatePayload() {
    requireHeaderPresent();
    if (magic() != MAGIC) {
      throw new CorruptBatchException("unknown batch magic " + magic());
    }
    int length = length();
    if (length < FIXED_HEADER_LENGTH + 1 || length > buffer.limit() - offset) {
      throw new CorruptBatchException(
          "batch length " + length + " does not fit the " + (buffer.limit() - offset) + " bytes");
    }
    int expected = payloadCrc();
    int actual = computePayloadCrc();
    if (expected != actual) {
      throw new CorruptBatchException(
          "payload CRC mismatch: stored "
              + Integer.toHexString(expected)
              + ", computed "
              + Integer.toHexString(actual));
    }
    int nameLength = streamNameLength();
    if (nameLength < 1 || nameLength > MAX_STREAM_NAME_LENGTH) {
      throw new OrdoException(
          ErrorCode.INVALID_BATCH,
          "stream name length " + nameLength + " is outside 1.." + MAX_STREAM_NAME_LENGTH);
    }
    if (STREAM_NAME_OFFSET + nameLength > length) {
      throw new CorruptBatchException("stream name runs past the end of the batch");
    }
    int count = recordCount();
    if (count < 1) {
      throw new OrdoException(ErrorCode.INVALID_BATCH, "record count " + count + " is below 1");
    }
    int codec = attributes() & CODEC_MASK;
    // Every raw record takes at least one byte; a compressed section may be far smaller than
    // its record count (its expanded size is bounded by the cursor instead).
    if (codec == Compression.NONE.id() && count > length - recordsOffset()) {
      throw new CorruptBatchException(
          "record count " + count + " cannot fit in " + (length - recordsOffset()) + " bytes");
    }
    if (!Compression.isKnown(codec)) {
      throw new OrdoException(ErrorCode.INVALID_BATCH, "unknown compression codec " + codec);
    }
  }

  /** Checks the leader-stamped header CRC (for batches read back from disk or a peer). */
  public void validateHeader() {
    requireHeaderPresent();
    int expected = headerCrc();
    int actual = computeHeaderCrc();
    if (expected != actual) {
      throw new CorruptBatchException(
          "header CRC mismatch at offset "
              + baseOffset()
              + ": stored "
              + Integer.toHexString(expected)
              + ", computed "
              + Integer.toHexString(actual));
    }
  }

  private void requireHeaderPresent() {
    if (offset < 0 || buffer.limit() - offset < FIXED_HEADER_LENGTH) {
      throw new CorruptBatchException(
          "batch of " + (buffer.limit() - offset) + " bytes is shorter than the header");
    }
  }

  /** Full check of a stored batch: header CRC, then the payload. */
  public void ensureValid() {
    validateHeader();
    validatePayload();
  }

  @Override
  public String toString() {
    return "RecordBatch{baseOffset="
        + baseOffset()
        + ", count="
        + recordCount()
        + ", length="
        + length()
        + ", term="
        + term()
        + ", producerId="
        + producerId()
        + ", baseSequence="
        + baseSequence()
        + "}";
  }
}
