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

  private final int maxUncompressedBytes;
  private byte[] compressedScratch = new byte[0];
  private byte[] decompressedScratch = new byte[0];

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
  private int[] headerSlots = new int[INITIAL_HEADER_SLOTS * 4];

  /**
   * @param maxUncompressedBytes the largest records section a zstd batch may expand to
   */
  public RecordCursor(int maxUncompressedBytes) {
    if (maxUncompressedBytes <= 0) {
      throw new IllegalArgumentException("maxUncompressedBytes must be positive");
    }
    this.maxUncompressedBytes = maxUncompressedBytes;
  }

  /** Positions the cursor before the first record of {@code batch}. */
  public RecordCursor reset(RecordBatch batch) {
    int codec = batch.attributes() & RecordBatch.CODEC_MASK;
    int start = batch.offset() + batch.recordsOffset();
    int length = batch.recordsLength();
    if (length < 0) {
      throw new CorruptBatchException("records section has negative length");
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
    return this;
  }

  private void decompress(ByteBuffer src, int start, int length) {
    if (compressedScratch.length < length) {
      compressedScratch = new byte[length];
    }
    src.get(start, compressedScratch, 0, length);
    long size = Zstd.getFrameContentSize(compressedScratch, 0, length);
    if (size < 0) {
      throw new CorruptBatchException("zstd frame has no readable content size");
    }
    if (size > maxUncompressedBytes) {
      throw new CorruptBatchException(
          "zstd records expand to " + size + " bytes, over the limit of " + maxUncompressedBytes);
    }
    if (decompressedScratch.length < size) {
      decompressedScratch = new byte[(int) size];
    }
    long n;
    try {
      n =
          Zstd.decompressByteArray(
              decompressedScratch, 0, (int) size, compressedScratch, 0, length);
    } catch (RuntimeException e) {
      throw new CorruptBatchException("zstd records could not be decompressed", e);
    }
    if (Zstd.isError(n) || n != size) {
      throw new CorruptBatchException("zstd records decompressed to an unexpected size");
    }
    buf = ByteBuffer.wrap(decompressedScratch).order(ByteOrder.LITTLE_ENDIAN);
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
    if (headerSlots.length < hc * 4) {
      headerSlots = new int[hc * 4];
    }
    for (int i = 0; i < hc; i++) {
      packed = Varint.readUnsigned(buf, p, end);
      int klen = Varint.value(packed);
      p = Varint.position(packed);
      if (klen < 0 || klen > end - p) {
        throw new CorruptBatchException("header key length " + klen + " runs past the record");
      }
      headerSlots[i * 4] = p;
      headerSlots[i * 4 + 1] = klen;
      p += klen;
      packed = Varint.readSigned(buf, p, end);
      int vlen = Varint.value(packed);
      p = Varint.position(packed);
      if (vlen < -1 || vlen > end - p) {
        throw new CorruptBatchException("header value length " + vlen + " runs past the record");
      }
      headerSlots[i * 4 + 2] = p;
      headerSlots[i * 4 + 3] = vlen;
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
    checkHeader(i);
    byte[] k = copy(headerSlots[i * 4], headerSlots[i * 4 + 1]);
    return new String(k, StandardCharsets.UTF_8);
  }

  /** A copy of header {@code i}'s value, or null. */
  public byte[] headerValue(int i) {
    checkHeader(i);
    return copy(headerSlots[i * 4 + 2], headerSlots[i * 4 + 3]);
  }

  /** The current record's headers as objects (allocates). */
  public List<Header> headers() {
    if (headerCount == 0) {
      return Collections.emptyList();
    }
    List<Header> list = new ArrayList<>(headerCount);
    for (int i = 0; i < headerCount; i++) {
      list.add(new Header(headerKey(i), headerValue(i)));
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
