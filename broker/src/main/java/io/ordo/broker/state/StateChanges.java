package io.ordo.broker.state;

import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.ProducerSessions.SessionSnapshot;
import io.ordo.broker.sequencer.StreamVersions;
import io.ordo.broker.sequencer.StreamVersions.StreamSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
  final Entries<Long> producers = new Entries<>();
  final Entries<String> streams = new Entries<>();
  final Entries<String> groups = new Entries<>();

  StateChanges(long appliedOffset, boolean full) {
    if (appliedOffset < 0) {
      throw new IllegalArgumentException("appliedOffset must be >= 0, was " + appliedOffset);
    }
    this.appliedOffset = appliedOffset;
    this.full = full;
  }

  /** Every entry of the given state (a full checkpoint). */
  static StateChanges all(
      ProducerSessions sessions,
      StreamVersions streams,
      Map<String, GroupOffset> groupOffsets,
      long appliedOffset) {
    StateChanges c = new StateChanges(appliedOffset, true);
    sessions.forEachSession(c::addSession);
    streams.forEachStream(c::addStream);
    groupOffsets.forEach(
        (key, g) -> {
          if (!key.equals(g.key())) {
            throw new IllegalArgumentException("group offset under key " + key + " is for " + g);
          }
          c.addGroup(g);
        });
    return c;
  }

  void addSession(SessionSnapshot s) {
    producers.put(s.producerId(), StateCodec.encodeSession(s));
  }

  void addStream(StreamSnapshot s) {
    streams.put(s.stream(), StateCodec.encodeStream(s));
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

  /** Keys and encoded values for one map. */
  static final class Entries<K> {
    private final List<K> keys = new ArrayList<>();
    private final List<byte[]> values = new ArrayList<>();

    void put(K key, byte[] value) {
      keys.add(key);
      values.add(value);
    }

    int size() {
      return keys.size();
    }

    K key(int i) {
      return keys.get(i);
    }

    byte[] value(int i) {
      return values.get(i);
    }
  }
}
