package io.ordo.broker.state;

import io.ordo.broker.sequencer.ProducerSessions.SessionSnapshot;
import io.ordo.broker.sequencer.ProducerSessions.SessionView;
import io.ordo.broker.sequencer.ProducerSessions.WindowEntry;
import io.ordo.broker.sequencer.StreamVersions.StreamSnapshot;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The byte layout of the values in the state maps (little-endian), and the order-independent
 * checksum a checkpoint is verified with. Decoding checks every length first and throws {@link
 * IllegalStateException} on anything malformed. Stateless; any thread.
 *
 * <pre>
 * session: int16 epoch, int32 lastSequence, int32 nameLength + UTF-8 name, int32 windowSize,
 *          windowSize x (int32 baseSequence, int32 lastSequence, int64 baseOffset,
 *          int64 baseStreamVersion), oldest first
 * stream:  int64 nextVersion, int64 lastBatchOffset, int64 records
 * group:   int64 nextOffset, int32 generation, int32 length of the group part of the key
 * </pre>
 */
final class StateCodec {
  static final int STREAM_BYTES = 24;
  static final int GROUP_BYTES = 16;
  private static final int WINDOW_ENTRY_BYTES = 24;

  private StateCodec() {}

  static byte[] encodeSession(SessionView s) {
    byte[] name = s.name().getBytes(StandardCharsets.UTF_8);
    int window = s.windowSize();
    int size = 2 + 4 + 4 + name.length + 4 + window * WINDOW_ENTRY_BYTES;
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort(s.epoch()).putInt(s.lastSequence()).putInt(name.length).put(name);
    b.putInt(window);
    for (int k = 0; k < window; k++) {
      b.putInt(s.windowBaseSequence(k)).putInt(s.windowLastSequence(k));
      b.putLong(s.windowBaseOffset(k)).putLong(s.windowBaseStreamVersion(k));
    }
    return b.array();
  }

  static SessionSnapshot decodeSession(long producerId, byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
    need(b, 10, "session header");
    short epoch = b.getShort();
    int lastSequence = b.getInt();
    int nameLength = b.getInt();
    need(b, nameLength, "session name");
    byte[] name = new byte[nameLength];
    b.get(name);
    need(b, 4, "session window size");
    int windowSize = b.getInt();
    if (windowSize < 0 || windowSize > SessionSnapshot.MAX_WINDOW) {
      throw new IllegalStateException("session window size " + windowSize);
    }
    need(b, windowSize * WINDOW_ENTRY_BYTES, "session window");
    List<WindowEntry> window = new ArrayList<>(windowSize);
    for (int i = 0; i < windowSize; i++) {
      window.add(new WindowEntry(b.getInt(), b.getInt(), b.getLong(), b.getLong()));
    }
    if (b.hasRemaining()) {
      throw new IllegalStateException("session value has " + b.remaining() + " extra bytes");
    }
    return new SessionSnapshot(
        producerId, new String(name, StandardCharsets.UTF_8), epoch, lastSequence, window);
  }

  static byte[] encodeStream(StreamSnapshot s) {
    return encodeStream(s.nextVersion(), s.lastBatchOffset(), s.records());
  }

  static byte[] encodeStream(long nextVersion, long lastBatchOffset, long records) {
    return ByteBuffer.allocate(STREAM_BYTES)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(nextVersion)
        .putLong(lastBatchOffset)
        .putLong(records)
        .array();
  }

  static StreamSnapshot decodeStream(String stream, byte[] value) {
    if (value.length != STREAM_BYTES) {
      throw new IllegalStateException("stream value of " + value.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
    return new StreamSnapshot(stream, b.getLong(), b.getLong(), b.getLong());
  }

  static byte[] encodeGroup(GroupOffset g) {
    return ByteBuffer.allocate(GROUP_BYTES)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(g.nextOffset())
        .putInt(g.generation())
        .putInt(g.group().length())
        .array();
  }

  static GroupOffset decodeGroup(String key, byte[] value) {
    if (value.length != GROUP_BYTES) {
      throw new IllegalStateException("group offset value of " + value.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
    long nextOffset = b.getLong();
    int generation = b.getInt();
    int groupLength = b.getInt();
    if (groupLength < 0 || groupLength >= key.length() || key.charAt(groupLength) != '\u0000') {
      throw new IllegalStateException("group offset key does not match its group length");
    }
    return new GroupOffset(
        key.substring(0, groupLength), key.substring(groupLength + 1), nextOffset, generation);
  }

  /** One entry's contribution to a map's checksum; the checksum is the sum over entries. */
  static long entryChecksum(byte[] key, byte[] value) {
    CRC32C crc = new CRC32C();
    crc.update(key);
    long keyCrc = crc.getValue();
    crc.reset();
    crc.update(value);
    long h = (keyCrc << 32) ^ crc.getValue() ^ ((long) value.length << 48);
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }

  static byte[] keyBytes(long producerId) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(producerId).array();
  }

  static byte[] keyBytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  private static void need(ByteBuffer b, int bytes, String what) {
    if (bytes < 0 || b.remaining() < bytes) {
      throw new IllegalStateException(what + ": needs " + bytes + " bytes, has " + b.remaining());
    }
  }
}
