package io.ordo.broker.groups;

import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordCursor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * {@link GroupOffsets} in a concurrent map of immutable entries, rebuilt by replaying the log on
 * start (or restored from a state checkpoint). Remembers which entries changed since the last
 * {@link #drainChanged}, so that a checkpoint writes only those; entries are never removed.
 *
 * <p>One writer thread (the sequencer, or the replaying thread before it starts), which is also the
 * only caller of {@link #drainChanged} and {@link #forgetChanges}; readers see whole entries.
 */
public final class MemoryGroupOffsets implements GroupOffsets {
  private final ConcurrentHashMap<GroupControl.Key, Entry> entries = new ConcurrentHashMap<>();
  private final Set<GroupControl.Key> changed = new LinkedHashSet<>();
  private final RecordCursor cursor = new RecordCursor(1024 * 1024);

  @Override
  public void apply(RecordBatch batch) {
    if (!batch.isControl()) {
      return;
    }
    boolean groups = batch.streamNameEquals(GroupControl.GROUPS_STREAM_BYTES);
    boolean offsets = !groups && batch.streamNameEquals(GroupControl.OFFSETS_STREAM_BYTES);
    if (!groups && !offsets) {
      return;
    }
    cursor.reset(batch);
    while (cursor.next()) {
      GroupControl.Record r = GroupControl.decode(cursor.key(), cursor.value());
      if (r == null) {
        continue; // not ours to understand (a newer version wrote it)
      }
      GroupControl.Key key = new GroupControl.Key(r.group(), r.subscription());
      Entry old = entries.get(key);
      int generation = old == null ? 0 : old.generation();
      long committed = old == null ? -1 : old.committedOffset();
      if (groups) {
        generation = Math.max(generation, r.generation());
      } else {
        committed = r.offset();
      }
      entries.put(key, new Entry(r.group(), r.subscription(), generation, committed));
      changed.add(key);
    }
  }

  /** How many entries changed since the last {@link #drainChanged}. */
  public int changedCount() {
    return changed.size();
  }

  /** Visits every entry changed since the last drain, and starts remembering afresh. */
  public void drainChanged(Consumer<Entry> visitor) {
    for (GroupControl.Key key : changed) {
      visitor.accept(entries.get(key));
    }
    changed.clear();
  }

  /** Forgets which entries changed (their state was saved by other means). */
  public void forgetChanges() {
    changed.clear();
  }

  /**
   * Puts back an entry from a state checkpoint (before the tail of the log is replayed); not a
   * change.
   */
  public void restore(String group, String subscription, int generation, long committedOffset) {
    entries.put(
        new GroupControl.Key(group, subscription),
        new Entry(group, subscription, generation, committedOffset));
  }

  @Override
  public int generation(String group, String subscription) {
    Entry e = entries.get(new GroupControl.Key(group, subscription));
    return e == null ? 0 : e.generation();
  }

  @Override
  public long committed(String group, String subscription) {
    Entry e = entries.get(new GroupControl.Key(group, subscription));
    return e == null ? -1 : e.committedOffset();
  }

  @Override
  public List<Entry> entries() {
    List<Entry> out = new ArrayList<>(entries.values());
    out.sort(Comparator.comparing(Entry::group).thenComparing(Entry::subscription));
    return out;
  }
}
