package io.ordo.broker.state;

import io.ordo.broker.groups.GroupOffsets;
import io.ordo.broker.groups.MemoryGroupOffsets;
import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.StreamVersions;

/**
 * The state a checkpoint saves (producer sessions, stream versions, group offsets), as seen by the
 * thread that owns it; takes what a checkpoint writes: the entries changed since the last one, in
 * O(changed entries), or every entry.
 *
 * <p>Owned by the thread that owns the state: the sequencer, or the thread building the node before
 * the sequencer starts (and stopping it after).
 */
public final class DerivedState {
  private final ProducerSessions sessions;
  private final StreamVersions streams;
  private final MemoryGroupOffsets groupOffsets;

  public DerivedState(
      ProducerSessions sessions, StreamVersions streams, MemoryGroupOffsets groupOffsets) {
    this.sessions = sessions;
    this.streams = streams;
    this.groupOffsets = groupOffsets;
  }

  /** The entries changed since the last call (or {@link #all}), which forgets them. */
  StateChanges changes(long appliedOffset) {
    StateChanges c = new StateChanges(appliedOffset, false, streams.changedCount());
    sessions.drainChanged(c::addSession);
    streams.drainChanged(c::addStream);
    groupOffsets.drainChanged(e -> c.addGroup(groupOffset(e)));
    return c;
  }

  /** Every entry; forgets what changed, as everything is in it. */
  StateChanges all(long appliedOffset) {
    StateChanges c =
        StateChanges.all(
            sessions,
            streams,
            groupOffsets.entries().stream().map(DerivedState::groupOffset).toList(),
            appliedOffset);
    sessions.forgetChanges();
    streams.forgetChanges();
    groupOffsets.forgetChanges();
    return c;
  }

  /** Entries changed since the last {@link #changes} or {@link #all}. */
  int changedCount() {
    return sessions.changedCount() + streams.changedCount() + groupOffsets.changedCount();
  }

  private static GroupOffset groupOffset(GroupOffsets.Entry e) {
    return new GroupOffset(e.group(), e.subscription(), e.committedOffset(), e.generation());
  }
}
