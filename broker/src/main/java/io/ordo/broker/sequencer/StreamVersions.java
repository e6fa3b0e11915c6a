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
 * <p>Owned by the sequencer thread (or the replaying thread before it starts).
 */
public final class StreamVersions {
  /** Mutable per-stream state. */
  static final class StreamState {
    long nextVersion;
    long lastBatchOffset = RecordBatch.NO_PREVIOUS_BATCH;
    long records;
  }

  private final Map<String, StreamState> streams = new HashMap<>();

  StreamState stateFor(String stream) {
    return streams.computeIfAbsent(stream, k -> new StreamState());
  }

  public void apply(RecordBatch batch) {
    apply(stateFor(batch.streamName()), batch);
  }

  /** Folds a stored batch into its stream's state (already looked up by the caller). */
  void apply(StreamState s, RecordBatch batch) {
    s.nextVersion = batch.baseStreamVersion() + batch.recordCount();
    s.lastBatchOffset = batch.baseOffset();
    s.records += batch.recordCount();
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

  /** Puts back a stream taken by {@link #forEachStream} (loading a checkpoint). */
  public void restore(StreamSnapshot snapshot) {
    StreamState s = new StreamState();
    s.nextVersion = snapshot.nextVersion();
    s.lastBatchOffset = snapshot.lastBatchOffset();
    s.records = snapshot.records();
    streams.put(snapshot.stream(), s);
  }

  /** Forgets every stream (a checkpoint turned out unusable; the log is replayed instead). */
  public void clear() {
    streams.clear();
  }

  /** Visits (stream, next version); for tools and tests. */
  public void forEach(BiConsumer<String, Long> visitor) {
    streams.forEach((k, v) -> visitor.accept(k, v.nextVersion));
  }
}
