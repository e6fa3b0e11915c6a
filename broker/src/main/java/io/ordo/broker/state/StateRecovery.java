package io.ordo.broker.state;

import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.StreamVersions;
import io.ordo.broker.storage.Log;
import io.ordo.broker.storage.LogSlice;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up of the derived state: load the checkpoint if the log still agrees with it, and say where
 * the replay of the log must start. Agreeing means the checkpoint's offset lies in the log and is
 * the end of a batch in it; anything else (log truncated below it, retention past it, a different
 * batch boundary) discards the checkpoint and the whole log is replayed, as without one.
 *
 * <p>Runs on the thread that builds the node, before the sequencer starts.
 */
public final class StateRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(StateRecovery.class);

  private StateRecovery() {}

  /** Opens the store, or returns null (logged) when it cannot be used: the node runs without. */
  public static StateStore openOrNull(StateStoreConfig config) {
    try {
      return StateStore.open(config);
    } catch (IOException | RuntimeException | InternalError e) {
      LOG.warn(
          "state store {} cannot be used ({}): running without checkpoints",
          config.dir(),
          e.toString());
      return null;
    }
  }

  /** {@link #restore(Log, StateStore, ProducerSessions, StreamVersions, Map)} without offsets. */
  public static long restore(
      Log log, StateStore store, ProducerSessions sessions, StreamVersions streams)
      throws IOException {
    return restore(log, store, sessions, streams, new HashMap<>());
  }

  /**
   * Fills the (empty) state from the checkpoint when it is usable, and returns the offset from
   * which the caller must replay the log ({@code log.forEachBatch(offset, ...)}) into the same
   * objects: the checkpoint's offset, or {@code log.startOffset()} with the state left empty.
   *
   * @param store may be null (no store): the whole log is replayed
   */
  public static long restore(
      Log log,
      StateStore store,
      ProducerSessions sessions,
      StreamVersions streams,
      Map<String, GroupOffset> groupOffsets)
      throws IOException {
    long start = log.startOffset();
    if (store == null) {
      return start;
    }
    long applied = store.load(sessions, streams, groupOffsets);
    if (applied < 0) {
      return start;
    }
    String disagreement = disagreement(log, applied);
    if (disagreement != null) {
      LOG.warn(
          "state checkpoint at offset {} not used: {}; replaying the log", applied, disagreement);
      store.discard();
      sessions.clear();
      streams.clear();
      groupOffsets.clear();
      return start;
    }
    LOG.info(
        "state checkpoint at offset {} loaded: {} sessions, {} streams, {} group offsets",
        applied,
        sessions.size(),
        streams.size(),
        groupOffsets.size());
    return applied;
  }

  private static String disagreement(Log log, long applied) throws IOException {
    long start = log.startOffset();
    long next = log.nextOffset();
    if (applied < start) {
      return "the log now starts at " + start;
    }
    if (applied > next) {
      return "the log ends at " + next;
    }
    if (applied == start) {
      return null;
    }
    LogSlice last = log.read(applied - 1, 1, Long.MAX_VALUE);
    if (last.isEmpty() || last.nextOffset() != applied) {
      return "no batch of the log ends at it (" + last + ")";
    }
    return null;
  }
}
