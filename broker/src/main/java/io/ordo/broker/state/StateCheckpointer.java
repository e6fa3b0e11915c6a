package io.ordo.broker.state;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when the state is checkpointed and hands each checkpoint to the checkpoint thread ({@link
 * CheckpointWriter}): at most once per {@code intervalMs}, only when the log has moved since the
 * last checkpoint, and once more at a clean stop. The caller passes the offset every batch below
 * which is folded into the state (the sequencer's next offset, when everything stamped is durable)
 * and the time, read once per cycle.
 *
 * <p>What the caller's thread does per checkpoint is O(changed entries): it copies the entries
 * changed since the last checkpoint, encoded, and hands them off; the Chronicle Map writes and
 * fsyncs run on the checkpoint thread. While a checkpoint is being written the next one waits (the
 * changes keep accumulating, nothing blocks); after one fails, the next holds every entry.
 *
 * <p>Owned by the thread that owns the state: built (with the store's full save, when it needs one)
 * by the thread that builds the node, then used by the sequencer, then stopped by the thread
 * stopping the node after the sequencer has stopped.
 */
public final class StateCheckpointer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StateCheckpointer.class);

  private final DerivedState state;
  private final CheckpointWriter writer;
  private final long intervalMs;
  private long lastAttemptMs;

  private StateCheckpointer(
      DerivedState state, CheckpointWriter writer, long intervalMs, long nowMs) {
    if (intervalMs <= 0) {
      throw new IllegalArgumentException("intervalMs must be > 0, was " + intervalMs);
    }
    this.state = state;
    this.writer = writer;
    this.intervalMs = intervalMs;
    this.lastAttemptMs = nowMs;
  }

  /**
   * Takes over the store after the state was restored and replayed, and starts the checkpoint
   * thread. When the store holds no checkpoint to build on (none loaded, or the files were left by
   * an unclean stop) this first writes a full checkpoint at {@code appliedOffset}, on the calling
   * thread, so that the sequencer only ever hands off changes.
   *
   * @param restoredFrom the offset of the checkpoint the state was restored from (the store holds
   *     it), when the store does not need a full save
   * @param appliedOffset the offset the state is applied up to now (the log's next offset)
   * @param nowMs the time now, so the first periodic checkpoint comes one interval after start
   */
  public static StateCheckpointer start(
      StateStore store,
      DerivedState state,
      long intervalMs,
      long restoredFrom,
      long appliedOffset,
      long nowMs) {
    return start(store, state, intervalMs, restoredFrom, appliedOffset, nowMs, store::save);
  }

  /** {@link #start} with the checkpoint thread's saves going through {@code saver}. */
  static StateCheckpointer start(
      StateStore store,
      DerivedState state,
      long intervalMs,
      long restoredFrom,
      long appliedOffset,
      long nowMs,
      CheckpointWriter.Saver saver) {
    long saved = restoredFrom;
    boolean wantsFull = false;
    if (store.needsFullSave()) {
      long startNs = System.nanoTime();
      StateChanges all = state.all(appliedOffset);
      saved = store.save(all) ? appliedOffset : -1;
      wantsFull = saved < 0;
      LOG.info(
          "state store had no checkpoint to build on: {} {} in {} ms",
          all,
          wantsFull ? "failed" : "written",
          (System.nanoTime() - startNs) / 1_000_000);
    }
    return new StateCheckpointer(
        state, new CheckpointWriter(store, saver, saved, wantsFull), intervalMs, nowMs);
  }

  /**
   * Hands a checkpoint off if an interval has passed, the log moved, and the last one is written;
   * true if it did.
   */
  public boolean maybeCheckpoint(long appliedOffset, long nowMs) {
    if (nowMs - lastAttemptMs < intervalMs || writer.busy()) {
      return false;
    }
    return handOff(appliedOffset, nowMs);
  }

  private boolean handOff(long appliedOffset, long nowMs) {
    boolean full = writer.wantsFull();
    if (!full && appliedOffset == writer.savedOffset()) {
      return false;
    }
    StateChanges changes = full ? state.all(appliedOffset) : state.changes(appliedOffset);
    lastAttemptMs = nowMs;
    return writer.offer(changes);
  }

  /**
   * At a clean stop, after the sequencer has stopped: waits for the checkpoint in flight, writes a
   * last one at {@code appliedOffset} (unless the store already holds it), then closes the store
   * and stops the checkpoint thread. True if the store holds a checkpoint at {@code appliedOffset}.
   */
  public boolean checkpointAndClose(long appliedOffset, long nowMs) {
    writer.awaitIdle();
    handOff(appliedOffset, nowMs);
    writer.awaitIdle();
    boolean saved = !writer.wantsFull() && writer.savedOffset() == appliedOffset;
    close();
    return saved;
  }

  /** Waits until no checkpoint is being written (for tools and tests). */
  public void awaitIdle() {
    writer.awaitIdle();
  }

  /** The offset of the last checkpoint written (-1: none yet); for tools and tests. */
  public long savedOffset() {
    return writer.savedOffset();
  }

  /**
   * Without a last checkpoint: waits for the one in flight, closes the store and stops the
   * checkpoint thread. Idempotent.
   */
  @Override
  public void close() {
    writer.close();
  }
}
