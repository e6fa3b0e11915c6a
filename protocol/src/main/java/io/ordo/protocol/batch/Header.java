package io.ordo.protocol.batch;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One record header: a UTF-8 key and an optional binary value. Immutable, so safe to share between
 * threads and to reuse across records (the key is encoded to UTF-8 once, at construction).
 */
public final class Header {
  private final String key;
  private final byte[] keyUtf8;
  private final byte[] value;

  public Header(String key, byte[] value) {
    this.key = Objects.requireNonNull(key, "key");
    this.keyUtf8 = key.getBytes(StandardCharsets.UTF_8);
    this.value = value == null ? null : value.clone();
  }

  /** For decoders that already hold fresh copies of the key's bytes and of the value. */
  Header(byte[] keyUtf8, byte[] value) {
    this.key = new String(keyUtf8, StandardCharsets.UTF_8);
    this.keyUtf8 = keyUtf8;
    this.value = value;
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

  /** The key's UTF-8 bytes, encoded once; never modified. */
  byte[] keyUtf8() {
    return keyUtf8;
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
