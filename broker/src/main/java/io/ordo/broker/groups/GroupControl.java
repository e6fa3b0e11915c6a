package io.ordo.broker.groups;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The records of the group control batches. A control batch on {@link #GROUPS_STREAM} says a member
 * became active with a new generation; one on {@link #OFFSETS_STREAM} is an offset commit. Each
 * record's key is the group name (UTF-8); its value, little-endian:
 *
 * <pre>
 * int16 subscription length, subscription UTF-8, int32 generation, int64 offset (-1 on $groups),
 * int16 member length, member id UTF-8
 * </pre>
 *
 * Stateless.
 */
public final class GroupControl {
  public static final String GROUPS_STREAM = "$groups";
  public static final String OFFSETS_STREAM = "$offsets";
  static final byte[] GROUPS_STREAM_BYTES = GROUPS_STREAM.getBytes(StandardCharsets.UTF_8);
  static final byte[] OFFSETS_STREAM_BYTES = OFFSETS_STREAM.getBytes(StandardCharsets.UTF_8);

  private GroupControl() {}

  /** A map key. */
  record Key(String group, String subscription) {}

  /** One decoded record. */
  public record Record(
      String group, String subscription, int generation, long offset, String member) {}

  public static byte[] key(String group) {
    return group.getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] value(String subscription, int generation, long offset, String member) {
    byte[] s = subscription.getBytes(StandardCharsets.UTF_8);
    byte[] m = member.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(2 + s.length + 4 + 8 + 2 + m.length);
    b.order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) s.length).put(s).putInt(generation).putLong(offset);
    b.putShort((short) m.length).put(m);
    return b.array();
  }

  /** Decodes a record, or returns null when it is not well formed. */
  public static Record decode(byte[] key, byte[] value) {
    if (key == null || value == null || value.length < 2) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
    int sl = b.getShort() & 0xFFFF;
    if (b.remaining() < sl + 4 + 8 + 2) {
      return null;
    }
    String sub = new String(value, 2, sl, StandardCharsets.UTF_8);
    b.position(2 + sl);
    int generation = b.getInt();
    long offset = b.getLong();
    int ml = b.getShort() & 0xFFFF;
    if (b.remaining() != ml) {
      return null;
    }
    String member = new String(value, b.position(), ml, StandardCharsets.UTF_8);
    return new Record(new String(key, StandardCharsets.UTF_8), sub, generation, offset, member);
  }
}
