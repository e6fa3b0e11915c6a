package io.ordo.producer;

import io.ordo.protocol.batch.Header;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.Varint;

/**
 * The encoded size of a record, computed without encoding it, so that batches can be sized as
 * records arrive. Mirrors the record layout of {@link io.ordo.protocol.batch.RecordBatchBuilder} (a
 * test checks that the two agree). Stateless and thread-safe.
 */
final class RecordSize {
  private RecordSize() {}

  /** Bytes of a record's body other than its timestamp delta: key, value and headers. */
  static int bodyWithoutDelta(byte[] key, byte[] value, Header[] headers) {
    int size = ofBytes(key) + ofBytes(value) + Varint.sizeOfUnsigned(headers.length);
    for (Header h : headers) {
      int k = utf8Length(h.key());
      byte[] v = h.value();
      size += Varint.sizeOfUnsigned(k) + k + ofBytes(v);
    }
    return size;
  }

  /** The whole encoded record, its length prefix included, given its timestamp delta. */
  static int encoded(int bodyWithoutDelta, long timestampDelta) {
    int body = bodyWithoutDelta + Varint.sizeOfSignedLong(timestampDelta);
    return Varint.sizeOfUnsigned(body) + body;
  }

  /** Size of a batch of {@code stream} before its first record. */
  static int batchOverhead(int streamNameBytes) {
    return RecordBatch.STREAM_NAME_OFFSET + streamNameBytes;
  }

  /** Length of {@code s} in UTF-8, without encoding it. */
  static int utf8Length(String s) {
    int n = s.length();
    int bytes = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          bytes += 1;
        } else if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          bytes += 2; // four bytes for the pair of two chars
          i++;
        } else {
          bytes += 2; // three bytes; an unpaired surrogate encodes as '?', one byte
          if (Character.isSurrogate(c)) {
            bytes -= 2;
          }
        }
      }
    }
    return bytes;
  }

  private static int ofBytes(byte[] bytes) {
    return bytes == null
        ? Varint.sizeOfSigned(-1)
        : Varint.sizeOfSigned(bytes.length) + bytes.length;
  }
}
