package io.ordo.broker.groups;

import io.ordo.protocol.batch.RecordBatch;
import java.util.List;

/**
 * Per (group, subscription): the current generation and the committed offset, derived from the
 * control batches on {@link GroupControl#GROUPS_STREAM} and {@link GroupControl#OFFSETS_STREAM}.
 * The same {@link #apply} runs on replay and live, so fencing and offsets survive a restart. Kept
 * behind this interface so a persistent store can replace the in-memory one.
 *
 * <p>Threading: one writer ({@link #apply}: the sequencer, or the replaying thread before it
 * starts); the getters may be called from any thread.
 */
public interface GroupOffsets {
  /** Folds in a stored batch; batches that are not group control batches are ignored. */
  void apply(RecordBatch batch);

  /** The current generation, 0 when the (group, subscription) has never had an active member. */
  int generation(String group, String subscription);

  /** The next offset to consume as last committed, or -1 when nothing was committed. */
  long committed(String group, String subscription);

  /** Every known (group, subscription), sorted by group then subscription. */
  List<Entry> entries();

  /** One (group, subscription)'s state. */
  record Entry(String group, String subscription, int generation, long committedOffset) {}
}
