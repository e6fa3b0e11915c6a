package io.ordo.broker.state;

import io.ordo.broker.groups.GroupControl;
import io.ordo.broker.groups.MemoryGroupOffsets;
import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.StreamVersions;
import io.ordo.broker.storage.Log;
import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordBatchBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes random but realistic batches the way the sequencer does: producer inits as control
 * batches, idempotent batches with running sequences and epochs, anonymous batches, many streams,
 * group activations and offset commits; each stamped with offset, stream version and previous
 * batch, then folded into the live state (as the sequencer folds it when stamping) and appended to
 * a real log (or, without one, only counted). Not thread-safe.
 */
final class LogWriter {
  private final Log log;
  private final Random random;
  private final RecordBatchBuilder builder = new RecordBatchBuilder(1 << 16);
  private final RecordBatch view = new RecordBatch();
  final ProducerSessions sessions = new ProducerSessions();
  final StreamVersions streams = new StreamVersions();
  final MemoryGroupOffsets groupOffsets = new MemoryGroupOffsets();
  private final Map<String, Long> lastBatchOffsets = new HashMap<>();
  private final List<long[]> producers = new ArrayList<>(); // {id, epoch, nextSequence}
  private final int streamCount;
  private long nextOffset;

  /**
   * @param log where the batches go, or null to only fold them into the state
   */
  LogWriter(Log log, Random random, int streamCount) {
    this.log = log;
    this.random = random;
    this.streamCount = streamCount;
  }

  /** The offset the next batch gets: every batch below it is folded into the state. */
  long nextOffset() {
    return log == null ? nextOffset : log.nextOffset();
  }

  /** The state this writer folded its batches into, as a checkpoint sees it. */
  DerivedState state() {
    return new DerivedState(sessions, streams, groupOffsets);
  }

  void appendBatches(int count) throws IOException {
    for (int i = 0; i < count; i++) {
      int kind = random.nextInt(20);
      if (kind == 0 || producers.isEmpty()) {
        init(random.nextInt(3) == 0 ? "" : "producer-" + random.nextInt(40));
      } else if (kind == 1) {
        data(RecordBatch.NO_PRODUCER_ID, (short) -1, -1);
      } else if (kind == 2) {
        groupControl();
      } else {
        long[] p = producers.get(random.nextInt(producers.size()));
        int seq = (int) p[2];
        int records = data(p[0], (short) p[1], seq);
        p[2] = seq + records;
      }
    }
  }

  private void init(String name) throws IOException {
    long id = sessions.idFor(name);
    short epoch = sessions.nextEpoch(id);
    builder.begin(ProducerSessions.CONTROL_STREAM, id, epoch, -1, Compression.NONE, true);
    builder.tryAppend(1, name.getBytes(StandardCharsets.UTF_8), null, null);
    append(ProducerSessions.CONTROL_STREAM);
    producers.removeIf(p -> p[0] == id);
    producers.add(new long[] {id, epoch, 0});
  }

  private int data(long producerId, short epoch, int baseSequence) throws IOException {
    String stream = "orders." + random.nextInt(streamCount);
    builder.begin(stream, producerId, epoch, baseSequence, Compression.NONE, false);
    int records = 1 + random.nextInt(5);
    for (int r = 0; r < records; r++) {
      byte[] value = new byte[random.nextInt(40)];
      random.nextBytes(value);
      builder.tryAppend(1000 + r, null, value, null);
    }
    append(stream);
    return records;
  }

  private void groupControl() throws IOException {
    String group = "group-" + random.nextInt(8);
    String subscription = random.nextBoolean() ? "orders." + random.nextInt(4) : "prefix:orders.";
    boolean commit = random.nextBoolean();
    String stream = commit ? GroupControl.OFFSETS_STREAM : GroupControl.GROUPS_STREAM;
    builder.begin(stream, RecordBatch.NO_PRODUCER_ID, (short) 0, -1, Compression.NONE, true);
    int generation = groupOffsets.generation(group, subscription) + (commit ? 0 : 1);
    long offset = commit ? random.nextInt((int) Math.min(Integer.MAX_VALUE, nextOffset() + 1)) : -1;
    builder.tryAppend(
        1,
        GroupControl.key(group),
        GroupControl.value(subscription, generation, offset, "m"),
        null);
    append(stream);
  }

  private void append(String stream) throws IOException {
    ByteBuffer built = builder.build();
    ByteBuffer copy = ByteBuffer.allocate(built.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    copy.put(built.duplicate()).flip();
    view.wrap(copy, 0);
    view.stamp(
        nextOffset(),
        1,
        streams.nextVersion(stream),
        lastBatchOffsets.getOrDefault(stream, RecordBatch.NO_PREVIOUS_BATCH),
        5000);
    lastBatchOffsets.put(stream, view.baseOffset());
    streams.apply(view);
    sessions.apply(view);
    groupOffsets.apply(view);
    if (log == null) {
      nextOffset = view.nextOffset();
    } else {
      log.append(copy);
    }
  }
}
