package io.ordo.broker.sequencer;

import io.ordo.protocol.batch.RecordBatch;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

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
    StreamState s = stateFor(batch.streamName());
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
  public java.util.List<GroupRequest.StreamState> list(String prefix) {
    java.util.List<GroupRequest.StreamState> out = new java.util.ArrayList<>();
    streams.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.add(new GroupRequest.StreamState(k, v.records, v.nextVersion, v.lastBatchOffset));
          }
        });
    out.sort(java.util.Comparator.comparing(GroupRequest.StreamState::name));
    return out;
  }

  /** Visits (stream, next version); for tools and tests. */
  public void forEach(BiConsumer<String, Long> visitor) {
    streams.forEach((k, v) -> visitor.accept(k, v.nextVersion));
  }
}
