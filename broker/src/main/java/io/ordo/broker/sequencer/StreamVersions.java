package io.ordo.broker.sequencer;

import io.ordo.protocol.batch.RecordBatch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Per stream: the next stream version and the base offset of the stream's last batch (the backward
 * chain stamped into each batch). Derived from the log, like {@link ProducerSessions}.
 *
 * <p>Remembers which streams changed since the last {@link #drainChanged} (a flag on the stream
 * plus a list, no lookup), so that a checkpoint writes only those. Streams are never removed.
 *
 * <p>Owned by the sequencer thread (or the replaying thread before it starts).
 */
public final class StreamVersions {
  /** A change list this long is dropped after a drain instead of kept for reuse. */
  private static final int KEPT_CHANGE_CAPACITY = 1 << 16;

  /** Mutable per-stream state. */
  static final class StreamState {
    final String name;
    long nextVersion;
    long lastBatchOffset = RecordBatch.NO_PREVIOUS_BATCH;
    long records;
    boolean changed;

    StreamState(String name) {
      this.name = name;
    }
  }

  private final Map<String, StreamState> streams = new HashMap<>();
  private ArrayList<StreamState> changed = new ArrayList<>();

  StreamState stateFor(String stream) {
    return streams.computeIfAbsent(stream, StreamState::new);
  }

  public void apply(RecordBatch batch) {
    apply(stateFor(batch.streamName()), batch);
  }

  /** Folds a stored batch into its stream's state (already looked up by the caller). */
  void apply(StreamState s, RecordBatch batch) {
    s.nextVersion = batch.baseStreamVersion() + batch.recordCount();
    s.lastBatchOffset = batch.baseOffset();
    s.records += batch.recordCount();
    if (!s.changed) {
      s.changed = true;
      changed.add(s);
    }
  }

  public long nextVersion(String stream) {
    StreamState s = streams.get(stream);
    return s == null ? 0 : s.nextVersion;
  }

  public int size() {
    return streams.size();
  }

  /** Streams whose name starts with {@code prefix}, sorted by name. */
  public List<GroupRequest.StreamState> list(String prefix) {
    List<GroupRequest.StreamState> out = new ArrayList<>();
    streams.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.add(new GroupRequest.StreamState(k, v.records, v.nextVersion, v.lastBatchOffset));
          }
        });
    out.sort(Comparator.comparing(GroupRequest.StreamState::name));
    return out;
  }

  /** Per stream, what a checkpoint keeps. */
  public record StreamSnapshot(
      String stream, long nextVersion, long lastBatchOffset, long records) {}

  /** Visits a copy of every stream's state (for checkpoints); order unspecified. */
  public void forEachStream(Consumer<StreamSnapshot> visitor) {
    streams.forEach(
        (k, v) ->
            visitor.accept(new StreamSnapshot(k, v.nextVersion, v.lastBatchOffset, v.records)));
  }

  /** How many streams changed since the last {@link #drainChanged}. */
  public int changedCount() {
    return changed.size();
  }

  /** Receives one stream's state, field by field (no object per stream). */
  @FunctionalInterface
  public interface StreamVisitor {
    void visit(String stream, long nextVersion, long lastBatchOffset, long records);
  }

  /**
   * Visits every stream changed since the last drain (or since it was created or restored), and
   * starts remembering afresh. O(changed streams), nothing allocated per stream.
   */
  public void drainChanged(StreamVisitor visitor) {
    for (StreamState s : changed) {
      s.changed = false;
      visitor.visit(s.name, s.nextVersion, s.lastBatchOffset, s.records);
    }
    clearChangeList();
  }

  /** Forgets which streams changed (their state was saved by other means). */
  public void forgetChanges() {
    for (StreamState s : changed) {
      s.changed = false;
    }
    clearChangeList();
  }

  private void clearChangeList() {
    if (changed.size() > KEPT_CHANGE_CAPACITY) {
      changed = new ArrayList<>();
    } else {
      changed.clear();
    }
  }

  /** Puts back a stream taken by {@link #forEachStream} (loading a checkpoint); not a change. */
  public void restore(StreamSnapshot snapshot) {
    StreamState s = new StreamState(snapshot.stream());
    s.nextVersion = snapshot.nextVersion();
    s.lastBatchOffset = snapshot.lastBatchOffset();
    s.records = snapshot.records();
    streams.put(snapshot.stream(), s);
  }

  /** Forgets every stream (a checkpoint turned out unusable; the log is replayed instead). */
  public void clear() {
    streams.clear();
    forgetChanges();
  }

  /** Visits (stream, next version); for tools and tests. */
  public void forEach(BiConsumer<String, Long> visitor) {
    streams.forEach((k, v) -> visitor.accept(k, v.nextVersion));
  }
}
