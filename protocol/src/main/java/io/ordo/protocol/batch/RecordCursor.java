package io.ordo.protocol.batch;

import com.github.luben.zstd.Zstd;
import io.ordo.protocol.CorruptBatchException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Iterates the records of one batch without an object per record: {@link #reset} on a batch, then
 * {@link #next} until it returns false, reading the current record through the accessors. Every
 * length is checked against the bytes present, so a malformed batch raises {@link
 * CorruptBatchException} and never an index error or an allocation sized by the input. A zstd
 * records section is decompressed into a scratch buffer that never grows past the limit given at
 * construction.
 *
 * <p>Not thread-safe: one cursor per thread.
 */
public final class RecordCursor {
  private static final int INITIAL_HEADER_SLOTS = 8;
  private static final byte[] EMPTY = new byte[0];

  private final int maxUncompressedBytes;
  private byte[] compressedScratch = EMPTY;
  private byte[] decompressedScratch = EMPTY;
  private ByteBuffer decompressed = ByteBuffer.wrap(EMPTY);

  private ByteBuffer buf;
  private int pos;
  private int limit;
  private int recordCount;
  private int index;
  private long baseOffset;
  private long baseStreamVersion;
  private long firstTimestamp;

  private long timestamp;
  private int keyPos;
  private int keyLen;
  private int valuePos;
  private int valueLen;
  private int headerCount;

  /** Position of each header of the current record (its key length varint). */
  private int[] headerStarts = new int[INITIAL_HEADER_SLOTS];

  /**
   * @param maxUncompressedBytes the largest records section a zstd batch may expand to
   */
  public RecordCursor(int maxUncompressedBytes) {
    if (maxUncompressedBytes <= 0) {
      throw new IllegalArgumentException("maxUncompressedBytes must be positive");
    }
    this.maxUncompressedBytes = maxUncompressedBytes;
  }

  /**
   * Positions the cursor before the first record of {@code batch}, which must have passed {@link
   * RecordBatch#validatePayload} (or {@link RecordBatch#ensureValid}).
   *
   * @throws CorruptBatchException when the records section does not fit the buffer or does not
   *     decompress within the limit
   */
  public RecordCursor reset(RecordBatch batch) {
    int codec = batch.attributes() & RecordBatch.CODEC_MASK;
    int start = batch.offset() + batch.recordsOffset();
    int length = batch.recordsLength();
    if (length < 0 || batch.offset() < 0 || start > batch.buffer().limit() - length) {
      throw new CorruptBatchException("records section runs past the batch");
    }
    if (codec == Compression.NONE.id()) {
      buf = batch.buffer();
      pos = start;
      limit = start + length;
    } else if (codec == Compression.ZSTD.id()) {
      decompress(batch.buffer(), start, length);
    } else {
      throw new CorruptBatchException("unknown compression codec " + codec);
    }
    recordCount = batch.recordCount();
    baseOffset = batch.baseOffset();
    baseStreamVersion = batch.baseStreamVersion();
    firstTimestamp = batch.firstTimestamp();
    index = -1;
    headerCount = 0;
    return this;
  }

  /**
   * Decompresses {@code [start, start + length)} of {@code src} into the scratch buffer. A heap
   * buffer is read in place; a direct one is copied first (its size is bounded by the batch).
   */
  private void decompress(ByteBuffer src, int start, int length) {
    byte[] in;
    int inOffset;
    if (src.hasArray()) {
      in = src.array();
      inOffset = src.arrayOffset() + start;
    } else {
      if (compressedScratch.length < length) {
        compressedScratch = new byte[length];
      }
      src.get(start, compressedScratch, 0, length);
      in = compressedScratch;
      inOffset = 0;
    }
    long size;
    long n;
    try {
      size = Zstd.getFrameContentSize(in, inOffset, length);
      if (size < 0) {
        throw new CorruptBatchException("zstd frame has no readable content size");
      }
      if (size > maxUncompressedBytes) {
        throw new CorruptBatchException(
            "zstd records expand to " + size + " bytes, over the limit of " + maxUncompressedBytes);
      }
      if (decompressedScratch.length < size) {
        decompressedScratch = new byte[(int) size];
        decompressed = ByteBuffer.wrap(decompressedScratch).order(ByteOrder.LITTLE_ENDIAN);
      }
      n = Zstd.decompressByteArray(decompressedScratch, 0, (int) size, in, inOffset, length);
    } catch (CorruptBatchException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CorruptBatchException("zstd records could not be decompressed", e);
    }
    if (Zstd.isError(n) || n != size) {
      throw new CorruptBatchException("zstd records decompressed to an unexpected size");
    }
    buf = decompressed;
    pos = 0;
    limit = (int) size;
  }

  /**
   * Parses the next record.
   *
   * @return false after the last record
   * @throws CorruptBatchException if the record or the batch's count is malformed
   */
  public boolean next() {
    if (index + 1 >= recordCount) {
      if (pos != limit) {
        throw new CorruptBatchException(
            (limit - pos) + " bytes left after the last of " + recordCount + " records");
      }
      index = recordCount;
      return false;
    }
    if (pos >= limit) {
      throw new CorruptBatchException(
          "records section ends after " + (index + 1) + " of " + recordCount + " records");
    }
    long packed = Varint.readUnsigned(buf, pos, limit);
    int bodyLen = Varint.value(packed);
    int p = Varint.position(packed);
    if (bodyLen < 0 || bodyLen > limit - p) {
      throw new CorruptBatchException("record length " + bodyLen + " runs past the records");
    }
    int end = p + bodyLen;
    p = readTimestampDelta(p, end);
    p = readBytes(p, end, true);
    p = readBytes(p, end, false);
    packed = Varint.readUnsigned(buf, p, end);
    int hc = Varint.value(packed);
    p = Varint.position(packed);
    // Each header takes at least 2 bytes, which bounds the count by the bytes present.
    if (hc < 0 || hc > (end - p) / 2) {
      throw new CorruptBatchException("header count " + hc + " is impossible");
    }
    if (headerStarts.length < hc) {
      headerStarts = new int[hc];
    }
    for (int i = 0; i < hc; i++) {
      headerStarts[i] = p;
      packed = Varint.readUnsigned(buf, p, end);
      int klen = Varint.value(packed);
      p = Varint.position(packed);
      if (klen < 0 || klen > end - p) {
        throw new CorruptBatchException("header key length " + klen + " runs past the record");
      }
      p += klen;
      packed = Varint.readSigned(buf, p, end);
      int vlen = Varint.value(packed);
      p = Varint.position(packed);
      if (vlen < -1 || vlen > end - p) {
        throw new CorruptBatchException("header value length " + vlen + " runs past the record");
      }
      p += Math.max(vlen, 0);
    }
    if (p != end) {
      throw new CorruptBatchException("record has " + (end - p) + " trailing bytes");
    }
    headerCount = hc;
    pos = end;
    index++;
    return true;
  }

  private int readTimestampDelta(int p, int end) {
    long delta = Varint.readSignedLong(buf, p, end);
    timestamp = firstTimestamp + delta;
    return p + Varint.sizeOfSignedLong(delta);
  }

  private int readBytes(int p, int end, boolean key) {
    long packed = Varint.readSigned(buf, p, end);
    int len = Varint.value(packed);
    p = Varint.position(packed);
    if (len < -1 || len > end - p) {
      throw new CorruptBatchException((key ? "key" : "value") + " length " + len + " is invalid");
    }
    if (key) {
      keyPos = p;
      keyLen = len;
    } else {
      valuePos = p;
      valueLen = len;
    }
    return p + Math.max(len, 0);
  }

  /**
   * Parses every record, checking the structure and that the count in the header matches. Leaves
   * the cursor after the last record.
   */
  public void validate(RecordBatch batch) {
    reset(batch);
    while (next()) {
      // parsing is the check
    }
  }

  /** Index of the current record within its batch, from 0. */
  public int index() {
    return index;
  }

  public long offset() {
    return baseOffset + index;
  }

  public long streamVersion() {
    return baseStreamVersion + index;
  }

  /** Create time (ms) of the current record. */
  public long timestamp() {
    return timestamp;
  }

  /** The buffer the current record's key, value and headers are in (absolute positions). */
  public ByteBuffer buffer() {
    return buf;
  }

  /** Key length, or -1 for a null key. */
  public int keyLength() {
    return keyLen;
  }

  public int keyPosition() {
    return keyPos;
  }

  /** Value length, or -1 for a null value. */
  public int valueLength() {
    return valueLen;
  }

  public int valuePosition() {
    return valuePos;
  }

  /** A copy of the key, or null. */
  public byte[] key() {
    return copy(keyPos, keyLen);
  }

  /** A copy of the value, or null. */
  public byte[] value() {
    return copy(valuePos, valueLen);
  }

  public int headerCount() {
    return headerCount;
  }

  public String headerKey(int i) {
    return new String(headerKeyBytes(i), StandardCharsets.UTF_8);
  }

  private byte[] headerKeyBytes(int i) {
    checkHeader(i);
    long packed = Varint.readUnsigned(buf, headerStarts[i], limit);
    return copy(Varint.position(packed), Varint.value(packed));
  }

  /** A copy of header {@code i}'s value, or null. */
  public byte[] headerValue(int i) {
    checkHeader(i);
    long packed = Varint.readUnsigned(buf, headerStarts[i], limit);
    packed = Varint.readSigned(buf, Varint.position(packed) + Varint.value(packed), limit);
    return copy(Varint.position(packed), Varint.value(packed));
  }

  /** The current record's headers as objects (allocates). */
  public List<Header> headers() {
    if (headerCount == 0) {
      return Collections.emptyList();
    }
    List<Header> list = new ArrayList<>(headerCount);
    for (int i = 0; i < headerCount; i++) {
      list.add(new Header(headerKeyBytes(i), headerValue(i)));
    }
    return list;
  }

  private void checkHeader(int i) {
    if (i < 0 || i >= headerCount) {
      throw new IndexOutOfBoundsException("header " + i + " of " + headerCount);
    }
  }

  private byte[] copy(int p, int len) {
    if (len < 0) {
      return null;
    }
    byte[] b = new byte[len];
    buf.get(p, b, 0, len);
    return b;
  }
}
