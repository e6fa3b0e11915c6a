package io.ordo.protocol.batch;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One record header: a UTF-8 key and an optional binary value. Immutable, so safe to share between
 * threads and to reuse across records (the key's UTF-8 encoding is computed once).
 */
public final class Header {
  private final String key;
  private final byte[] value;
  private byte[] keyUtf8;

  public Header(String key, byte[] value) {
    this.key = Objects.requireNonNull(key, "key");
    this.value = value == null ? null : value.clone();
  }

  public String key() {
    return key;
  }

  /** The value, or null. */
  public byte[] value() {
    return value == null ? null : value.clone();
  }

  byte[] valueUnsafe() {
    return value;
  }

  /**
   * The key's UTF-8 bytes, encoded on first use (a benign race: every thread computes the same).
   */
  byte[] keyUtf8() {
    byte[] k = keyUtf8;
    if (k == null) {
      k = key.getBytes(StandardCharsets.UTF_8);
      keyUtf8 = k;
    }
    return k;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Header h && key.equals(h.key) && Arrays.equals(value, h.value);
  }

  @Override
  public int hashCode() {
    return 31 * key.hashCode() + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return key + "=" + (value == null ? "null" : value.length + " bytes");
  }
}
