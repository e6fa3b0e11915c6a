package io.ordo.protocol.batch;

import io.ordo.protocol.CorruptBatchException;
import java.nio.ByteBuffer;

/**
 * Unsigned LEB128 varints and zigzag-encoded signed varints over absolute buffer positions. The
 * readers bound every read by a limit and reject over-long and non-minimal encodings. Stateless.
 */
public final class Varint {
  private Varint() {}

  // Sizes by comparison rather than numberOfLeadingZeros and a division by 7: the client
  // commands run on C1, which neither intrinsifies the one nor strength-reduces the other, and
  // almost every varint in a batch (lengths and deltas of small records) is one or two bytes.

  /** Bytes of {@code value} as an unsigned varint: one per 7 significant bits, at least one. */
  public static int sizeOfUnsigned(int value) {
    if ((value & 0xFFFFFF80) == 0) {
      return 1;
    }
    if ((value & 0xFFFFC000) == 0) {
      return 2;
    }
    if ((value & 0xFFE00000) == 0) {
      return 3;
    }
    return (value & 0xF0000000) == 0 ? 4 : 5;
  }

  public static int sizeOfSigned(int value) {
    return sizeOfUnsigned((value << 1) ^ (value >> 31));
  }

  public static int sizeOfSignedLong(long value) {
    long v = (value << 1) ^ (value >> 63);
    int size = 1;
    while ((v & 0xFFFFFFFFFFFFFF80L) != 0) {
      v >>>= 7;
      size++;
    }
    return size;
  }

  /**
   * Writes at {@code pos} of a buffer (through the array writer and a small copy: for tools and
   * tests; the encoder writes into its array); returns the position after the varint.
   */
  public static int writeUnsigned(ByteBuffer buf, int pos, int value) {
    byte[] b = new byte[5];
    int n = writeUnsigned(b, 0, value);
    buf.put(pos, b, 0, n);
    return pos + n;
  }

  public static int writeSigned(ByteBuffer buf, int pos, int value) {
    return writeUnsigned(buf, pos, (value << 1) ^ (value >> 31));
  }

  /**
   * Writes into an array at {@code pos} (the caller has checked the room: {@link #sizeOfUnsigned});
   * returns the position after the varint. The encoder's path: plain array stores, no buffer bounds
   * checks per byte.
   */
  public static int writeUnsigned(byte[] a, int pos, int value) {
    while ((value & 0xFFFFFF80) != 0) {
      a[pos++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    a[pos++] = (byte) value;
    return pos;
  }

  public static int writeSigned(byte[] a, int pos, int value) {
    return writeUnsigned(a, pos, (value << 1) ^ (value >> 31));
  }

  public static int writeSignedLong(byte[] a, int pos, long value) {
    long v = (value << 1) ^ (value >> 63);
    while ((v & 0xFFFFFFFFFFFFFF80L) != 0) {
      a[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    a[pos++] = (byte) v;
    return pos;
  }

  public static int writeSignedLong(ByteBuffer buf, int pos, long value) {
    byte[] b = new byte[10];
    int n = writeSignedLong(b, 0, value);
    buf.put(pos, b, 0, n);
    return pos + n;
  }

  /**
   * Reads an unsigned varint of at most 5 bytes from {@code [pos, limit)}. The value is returned in
   * the low 32 bits and the new position in the high 32 bits, so no object is allocated. Only the
   * minimal encoding of a value is accepted (no trailing zero groups, no bits past 32), so every
   * value has exactly one encoding.
   */
  public static long readUnsigned(ByteBuffer buf, int pos, int limit) {
    int value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (pos >= limit) {
        throw new CorruptBatchException("varint runs past the end of the records");
      }
      byte b = buf.get(pos++);
      value |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0) {
          throw new CorruptBatchException("varint is not minimally encoded");
        }
        if (shift == 28 && (b & 0xF0) != 0) {
          throw new CorruptBatchException("varint does not fit in 32 bits");
        }
        return ((long) pos << 32) | (value & 0xFFFFFFFFL);
      }
    }
    throw new CorruptBatchException("varint longer than 5 bytes");
  }

  /**
   * Reads a zigzag-encoded signed varint of at most 10 bytes from {@code [pos, limit)}. Only the
   * minimal encoding is accepted, so the varint ends at {@code pos + sizeOfSignedLong(value)}.
   */
  public static long readSignedLong(ByteBuffer buf, int pos, int limit) {
    long raw = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos >= limit) {
        throw new CorruptBatchException("varint runs past the end of the records");
      }
      byte b = buf.get(pos++);
      raw |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0) {
          throw new CorruptBatchException("varint is not minimally encoded");
        }
        if (shift == 63 && b != 1) {
          throw new CorruptBatchException("varint does not fit in 64 bits");
        }
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw new CorruptBatchException("varint longer than 10 bytes");
  }

  /** As {@link #readUnsigned}, zigzag-decoded. */
  public static long readSigned(ByteBuffer buf, int pos, int limit) {
    long packed = readUnsigned(buf, pos, limit);
    int raw = (int) packed;
    int value = (raw >>> 1) ^ -(raw & 1);
    return (packed & 0xFFFFFFFF00000000L) | (value & 0xFFFFFFFFL);
  }

  /** Position after a value returned by the readers. */
  public static int position(long packed) {
    return (int) (packed >>> 32);
  }

  /** Value part of a packed result. */
  public static int value(long packed) {
    return (int) packed;
  }
}
