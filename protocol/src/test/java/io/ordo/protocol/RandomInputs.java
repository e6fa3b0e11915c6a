package io.ordo.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Random field values for property tests: UTF-8 strings that mix 1- to 4-byte code points, byte
 * arrays that are null, empty, small, large, compressible or not, and longs that favour edge cases.
 * Stateless; the caller owns the {@link Random}.
 */
public final class RandomInputs {
  private static final int[][] CODE_POINT_RANGES = {
    {'a', 'z'},
    {'0', '9'},
    {0x20, 0x7e},
    {0xe0, 0x24f},
    {0x391, 0x3c9},
    {0x4e00, 0x9fff},
    {0xac00, 0xd7a3},
    {0x1f600, 0x1f64f},
    {0x10000, 0x1000ff},
    {0x0, 0x1f}
  };

  private RandomInputs() {}

  /** A string whose UTF-8 encoding is exactly {@code bytes} long, mixing multibyte code points. */
  public static String utf8OfLength(Random r, int bytes) {
    StringBuilder sb = new StringBuilder();
    int left = bytes;
    while (left > 0) {
      int cp = codePoint(r);
      int n = utf8Length(cp);
      if (n > left) {
        cp = 'a' + r.nextInt(26);
        n = 1;
      }
      sb.appendCodePoint(cp);
      left -= n;
    }
    String s = sb.toString();
    if (s.getBytes(StandardCharsets.UTF_8).length != bytes) {
      throw new AssertionError("bad generator");
    }
    return s;
  }

  /** A string of at most {@code maxBytes} UTF-8 bytes, sometimes empty. */
  public static String utf8UpTo(Random r, int maxBytes) {
    int n =
        r.nextInt(8) == 0
            ? maxBytes
            : r.nextInt(4) == 0 ? 0 : r.nextInt(Math.min(maxBytes, 40) + 1);
    return utf8OfLength(r, n);
  }

  private static int codePoint(Random r) {
    int[] range = CODE_POINT_RANGES[r.nextInt(CODE_POINT_RANGES.length)];
    int cp = range[0] + r.nextInt(range[1] - range[0] + 1);
    return Character.isSurrogate((char) cp) && cp < 0x10000 ? 'x' : cp;
  }

  public static int utf8Length(int cp) {
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }

  /** Null, empty, small, medium or (rarely) large bytes; often compressible. */
  public static byte[] bytes(Random r, int large) {
    int pick = r.nextInt(100);
    if (pick < 8) {
      return null;
    }
    if (pick < 16) {
      return new byte[0];
    }
    int len = pick < 90 ? r.nextInt(120) : pick < 98 ? r.nextInt(2000) : r.nextInt(large + 1);
    byte[] b = new byte[len];
    if (r.nextBoolean()) {
      r.nextBytes(b);
    } else {
      int period = 1 + r.nextInt(16);
      for (int i = 0; i < len; i++) {
        b[i] = (byte) ('A' + i % period);
      }
    }
    return b;
  }

  /** A long that is often an edge case (0, ±1, MIN, MAX, powers of two). */
  public static long edgyLong(Random r) {
    switch (r.nextInt(6)) {
      case 0:
        long[] edges = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, 1L << 35};
        return edges[r.nextInt(edges.length)];
      case 1:
        return (r.nextBoolean() ? 1L : -1L) << r.nextInt(64);
      case 2:
        return r.nextInt(1000) - 500;
      default:
        return r.nextLong() >> r.nextInt(64);
    }
  }

  /** An int that is often an edge case. */
  public static int edgyInt(Random r) {
    switch (r.nextInt(5)) {
      case 0:
        int[] edges = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 127, 128, 16383, 16384};
        return edges[r.nextInt(edges.length)];
      case 1:
        return (r.nextBoolean() ? 1 : -1) << r.nextInt(32);
      default:
        return r.nextInt() >> r.nextInt(32);
    }
  }
}
