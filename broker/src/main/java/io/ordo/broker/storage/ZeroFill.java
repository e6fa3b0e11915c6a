package io.ordo.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Recognises the zero-filled tail a prepared segment file has after its last batch. */
public final class ZeroFill {
  private static final int WINDOW_BYTES = 64 * 1024;

  private ZeroFill() {}

  /**
   * Whether every byte of {@code [from, to)} of the file is zero (true for an empty range). Reads
   * with positional calls only.
   */
  public static boolean isZeroFilled(FileChannel ch, long from, long to) throws IOException {
    ByteBuffer window = ByteBuffer.allocate((int) Math.min(WINDOW_BYTES, Math.max(0, to - from)));
    long pos = from;
    while (pos < to) {
      window.clear().limit((int) Math.min(window.capacity(), to - pos));
      int n = ch.read(window, pos);
      if (n < 0) {
        return false; // the file is shorter than the range
      }
      int i = 0;
      for (; i + Long.BYTES <= n; i += Long.BYTES) {
        if (window.getLong(i) != 0) {
          return false;
        }
      }
      for (; i < n; i++) {
        if (window.get(i) != 0) {
          return false;
        }
      }
      pos += n;
    }
    return true;
  }
}
