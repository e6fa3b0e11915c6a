package io.ordo.broker.state;

import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.ProducerSessions.SessionView;
import io.ordo.broker.sequencer.StreamVersions;
import io.ordo.broker.sequencer.StreamVersions.StreamSnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What one checkpoint writes, with the offset every batch below which is reflected in it: either
 * every entry of the derived state ({@link #full}: the store rewrites its maps from empty), or only
 * the entries changed since the previous checkpoint (the store updates its maps in place). Values
 * are already encoded ({@link StateCodec}), so the state itself is never read by the thread that
 * saves them. Entries are only ever added or replaced: the derived state never removes one.
 *
 * <p>Filled by the thread that owns the state, then handed to the checkpoint thread, which only
 * reads it (the hand-off publishes it).
 */
final class StateChanges {
  final long appliedOffset;
  final boolean full;
  final EncodedEntries<Long> producers = new EncodedEntries<>();
  final StreamEntries streams;
  final EncodedEntries<String> groups = new EncodedEntries<>();

  /**
   * @param expectedStreams how many streams will be added (room is made for them up front)
   */
  StateChanges(long appliedOffset, boolean full, int expectedStreams) {
    if (appliedOffset < 0) {
      throw new IllegalArgumentException("appliedOffset must be >= 0, was " + appliedOffset);
    }
    this.appliedOffset = appliedOffset;
    this.full = full;
    this.streams = new StreamEntries(expectedStreams);
  }

  /** Every entry of the given state (a full checkpoint). */
  static StateChanges all(
      ProducerSessions sessions,
      StreamVersions streams,
      Iterable<GroupOffset> groupOffsets,
      long appliedOffset) {
    StateChanges c = new StateChanges(appliedOffset, true, streams.size());
    sessions.forEachSessionView(c::addSession);
    streams.forEachStream(c::addStream);
    groupOffsets.forEach(c::addGroup);
    return c;
  }

  void addSession(SessionView s) {
    producers.put(s.producerId(), StateCodec.encodeSession(s));
  }

  void addStream(StreamSnapshot s) {
    streams.add(s.stream(), s.nextVersion(), s.lastBatchOffset(), s.records());
  }

  void addStream(String stream, long nextVersion, long lastBatchOffset, long records) {
    streams.add(stream, nextVersion, lastBatchOffset, records);
  }

  void addGroup(GroupOffset g) {
    groups.put(g.key(), StateCodec.encodeGroup(g));
  }

  int size() {
    return producers.size() + streams.size() + groups.size();
  }

  @Override
  public String toString() {
    return (full ? "full" : "incremental")
        + " checkpoint at offset "
        + appliedOffset
        + ": "
        + producers.size()
        + " sessions, "
        + streams.size()
        + " streams, "
        + groups.size()
        + " group offsets";
  }

  /** Keys and values for one map. */
  abstract static class Entries<K> {
    abstract int size();

    abstract K key(int i);

    /** Entry {@code i}'s value, encoded ({@link StateCodec}). */
    abstract byte[] value(int i);
  }

  /** Entries whose values are encoded as they are added. */
  static final class EncodedEntries<K> extends Entries<K> {
    private final List<K> keys = new ArrayList<>();
    private final List<byte[]> values = new ArrayList<>();

    void put(K key, byte[] value) {
      keys.add(key);
      values.add(value);
    }

    @Override
    int size() {
      return keys.size();
    }

    @Override
    K key(int i) {
      return keys.get(i);
    }

    @Override
    byte[] value(int i) {
      return values.get(i);
    }
  }

  /**
   * Streams, kept as their fields in flat arrays (nothing allocated per stream on the thread that
   * takes them) and encoded when the checkpoint thread writes them.
   */
  static final class StreamEntries extends Entries<String> {
    private String[] names;
    private long[] fields;
    private int size;

    StreamEntries(int expected) {
      names = new String[Math.max(expected, 16)];
      fields = new long[3 * names.length];
    }

    void add(String stream, long nextVersion, long lastBatchOffset, long records) {
      if (size == names.length) {
        names = Arrays.copyOf(names, 2 * size);
        fields = Arrays.copyOf(fields, 6 * size);
      }
      names[size] = stream;
      fields[3 * size] = nextVersion;
      fields[3 * size + 1] = lastBatchOffset;
      fields[3 * size + 2] = records;
      size++;
    }

    @Override
    int size() {
      return size;
    }

    @Override
    String key(int i) {
      return names[Objects.checkIndex(i, size)];
    }

    @Override
    byte[] value(int i) {
      Objects.checkIndex(i, size);
      return StateCodec.encodeStream(fields[3 * i], fields[3 * i + 1], fields[3 * i + 2]);
    }
  }
}
