package io.ordo.broker.state;

import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.StreamVersions;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Decides when the state is checkpointed: at most once per {@code intervalMs}, only when the log
 * has moved since the last checkpoint, and once more at a clean stop. The caller passes the offset
 * every batch below which is folded into the state (the sequencer's next offset at the end of a
 * group) and the time, read once per cycle.
 *
 * <p>Owned by the thread that owns the state: the sequencer.
 */
public final class StateCheckpointer {
  private final StateStore store;
  private final ProducerSessions sessions;
  private final StreamVersions streams;
  private final Supplier<Map<String, GroupOffset>> groupOffsets;
  private final long intervalMs;
  private long lastSavedOffset;
  private long lastAttemptMs;

  /**
   * @param lastSavedOffset the offset the state was restored from (no checkpoint needed until the
   *     log moves past it)
   * @param nowMs the time now, so the first checkpoint comes one interval after start
   */
  public StateCheckpointer(
      StateStore store,
      ProducerSessions sessions,
      StreamVersions streams,
      Supplier<Map<String, GroupOffset>> groupOffsets,
      long intervalMs,
      long lastSavedOffset,
      long nowMs) {
    if (intervalMs <= 0) {
      throw new IllegalArgumentException("intervalMs must be > 0, was " + intervalMs);
    }
    this.store = store;
    this.sessions = sessions;
    this.streams = streams;
    this.groupOffsets = groupOffsets;
    this.intervalMs = intervalMs;
    this.lastSavedOffset = lastSavedOffset;
    this.lastAttemptMs = nowMs;
  }

  /** Checkpoints if an interval has passed and the log moved; true if it saved. */
  public boolean maybeCheckpoint(long appliedOffset, long nowMs) {
    if (nowMs - lastAttemptMs < intervalMs || appliedOffset == lastSavedOffset) {
      return false;
    }
    return checkpoint(appliedOffset, nowMs);
  }

  /** Checkpoints now (clean stop), unless nothing moved since the last one; true if it saved. */
  public boolean checkpoint(long appliedOffset, long nowMs) {
    lastAttemptMs = nowMs;
    if (appliedOffset == lastSavedOffset) {
      return false;
    }
    boolean saved = store.save(sessions, streams, groupOffsets.get(), appliedOffset);
    if (saved) {
      lastSavedOffset = appliedOffset;
    }
    return saved;
  }
}
