package io.ordo.perf.state;

import io.ordo.broker.groups.GroupControl;
import io.ordo.broker.groups.GroupOffsets;
import io.ordo.broker.groups.MemoryGroupOffsets;
import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.ProducerSessions.SessionSnapshot;
import io.ordo.broker.sequencer.ProducerSessions.WindowEntry;
import io.ordo.broker.sequencer.StreamVersions;
import io.ordo.broker.sequencer.StreamVersions.StreamSnapshot;
import io.ordo.broker.state.DerivedState;
import io.ordo.broker.state.GroupOffset;
import io.ordo.broker.state.StateCheckpointer;
import io.ordo.broker.state.StateStore;
import io.ordo.broker.state.StateStoreConfig;
import io.ordo.perf.BenchArgs;
import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordBatchBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What a state checkpoint costs the sequencer thread. A node with many streams (one per aggregate)
 * and producer sessions checkpoints its derived state to the Chronicle Map store every minute, and
 * every append waits while the sequencer thread is busy with it. Two ways, alternating {@code
 * --runs} times, medians printed at the end:
 *
 * <ol>
 *   <li>before: the whole state saved on the sequencer thread ({@code StateStore.save} of every
 *       entry, then the fsyncs), as every checkpoint was written until incremental checkpoints;
 *   <li>after: for each of {@code --changed-streams} (with {@code --changed-sessions} producers and
 *       100 group offsets changed alongside, through real stamped batches, not timed), {@link
 *       StateCheckpointer#maybeCheckpoint} as the sequencer calls it (the time it blocks the
 *       sequencer: a copy of the changed entries) and then the wait for the checkpoint thread to
 *       write them (Chronicle puts and fsyncs, off the sequencer).
 * </ol>
 *
 * <pre>
 * mvn -B -q -pl perf -am package -DskipTests
 * FLAGS="$(sed -n 's|.*&lt;ordo.jvm.flags&gt;\(.*\)&lt;/ordo.jvm.flags&gt;.*|\1|p' pom.xml)"
 * java $FLAGS -Xmx4g -cp perf/target/benchmarks.jar io.ordo.perf.state.StateCheckpointCost \
 *     --dir /var/tmp/ordo-state-bench --streams 1000000 --sessions 10000 \
 *     --changed-streams 10000,1000000 --changed-sessions 1000 --runs 5
 * </pre>
 *
 * <p>({@code FLAGS} are the JVM flags Chronicle Map needs, the same as {@code bin/ordo} passes.)
 */
public final class StateCheckpointCost {
  private static final int CHANGED_GROUP_OFFSETS = 100;

  private final Path dir;
  private final int streamCount;
  private final int sessionCount;
  private final int groupOffsetCount;
  private final int[] changedStreams;
  private final int changedSessions;
  private final int runs;

  private final Random random = new Random(42);
  private final ProducerSessions sessions = new ProducerSessions();
  private final StreamVersions streams = new StreamVersions();
  private final MemoryGroupOffsets groupOffsets = new MemoryGroupOffsets();
  private final List<String> streamNames = new ArrayList<>();
  private final List<String> groupNames = new ArrayList<>();
  private long[] producerIds;
  private int[] nextSequences;
  private final RecordBatchBuilder builder = new RecordBatchBuilder(4096);
  private final RecordBatch view = new RecordBatch();
  private long nextOffset = 1_000_000_000L;
  private int nextStream;

  private StateCheckpointCost(
      Path dir,
      int streamCount,
      int sessionCount,
      int groupOffsetCount,
      int[] changedStreams,
      int changedSessions,
      int runs) {
    this.dir = dir;
    this.streamCount = streamCount;
    this.sessionCount = sessionCount;
    this.groupOffsetCount = groupOffsetCount;
    this.changedStreams = changedStreams;
    this.changedSessions = Math.min(changedSessions, sessionCount);
    this.runs = runs;
  }

  public static void main(String[] args) throws IOException {
    BenchArgs a =
        BenchArgs.parse(
            args,
            "StateCheckpointCost [--dir DIR] [--streams 1000000] [--sessions 10000]"
                + " [--group-offsets 1000] [--changed-streams 10000,1000000]"
                + " [--changed-sessions 1000] [--runs 5]",
            "--dir",
            "--streams",
            "--sessions",
            "--group-offsets",
            "--changed-streams",
            "--changed-sessions",
            "--runs");
    Path dir = a.string("--dir") == null ? null : Path.of(a.string("--dir"));
    int streams = a.intValue("--streams", 1_000_000);
    int sessions = a.intValue("--sessions", 10_000);
    int groupOffsets = a.intValue("--group-offsets", 1_000);
    int[] changedStreams =
        a.string("--changed-streams") == null
            ? new int[] {10_000, 1_000_000}
            : Arrays.stream(a.string("--changed-streams").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
    int changedSessions = a.intValue("--changed-sessions", 1_000);
    int runs = a.intValue("--runs", 5);
    for (int c : changedStreams) {
      if (c < 1 || c > streams) {
        throw new IllegalArgumentException("--changed-streams must be in 1.." + streams);
      }
    }
    boolean tempDir = dir == null;
    if (tempDir) {
      dir = Files.createTempDirectory("ordo-state-bench");
    }
    Files.createDirectories(dir);
    try {
      new StateCheckpointCost(
              dir, streams, sessions, groupOffsets, changedStreams, changedSessions, runs)
          .run();
    } finally {
      deleteTree(dir.resolve("state"));
      if (tempDir) {
        Files.deleteIfExists(dir);
      }
    }
  }

  private void run() throws IOException {
    fillState();
    deleteTree(dir.resolve("state"));
    // Sized as the store grows itself (twice the entries); stream names are "order-<uuid>".
    StateStoreConfig config =
        new StateStoreConfig(
            dir.resolve("state"),
            2L * sessionCount,
            2L * streamCount,
            2L * groupOffsetCount,
            42,
            48,
            1600);
    System.out.printf(
        Locale.ROOT,
        "dir %s: %,d streams, %,d producer sessions (full dedup windows), %,d group offsets;"
            + " changed per checkpoint: %s streams, %,d sessions, %d group offsets; %d runs%n",
        dir,
        streamCount,
        sessionCount,
        groupOffsetCount,
        Arrays.toString(changedStreams),
        changedSessions,
        CHANGED_GROUP_OFFSETS,
        runs);
    long[] fullMs = new long[runs];
    long[][] sequencerUs = new long[changedStreams.length][runs];
    long[][] threadMs = new long[changedStreams.length][runs];
    for (int run = 0; run < runs; run++) {
      try (StateStore store = StateStore.open(config)) {
        long t0 = System.nanoTime();
        if (!store.save(sessions, streams, groupOffsetMap(), nextOffset)) {
          throw new IOException("full save failed");
        }
        fullMs[run] = (System.nanoTime() - t0) / 1_000_000;
      }
      StringBuilder line =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "run %d: before: full save on the sequencer thread %,d ms",
                  run + 1,
                  fullMs[run]));
      // The store now holds the state: reopen it as a restarted node would (no full save).
      StateStore store = StateStore.open(config);
      long restored = store.load(new ProducerSessions(), new StreamVersions(), new HashMap<>());
      try (StateCheckpointer checkpointer =
          StateCheckpointer.start(
              store,
              new DerivedState(sessions, streams, groupOffsets),
              1,
              restored,
              nextOffset,
              0)) {
        if (restored != nextOffset) {
          throw new IllegalStateException("the store did not load: " + restored);
        }
        for (int k = 0; k < changedStreams.length; k++) {
          change(changedStreams[k]);
          long t1 = System.nanoTime();
          if (!checkpointer.maybeCheckpoint(
              nextOffset, 1000L * (run * changedStreams.length + k + 1))) {
            throw new IllegalStateException("no checkpoint handed off");
          }
          long t2 = System.nanoTime();
          checkpointer.awaitIdle();
          long t3 = System.nanoTime();
          if (checkpointer.savedOffset() != nextOffset) {
            throw new IOException("incremental checkpoint failed");
          }
          sequencerUs[k][run] = (t2 - t1) / 1000;
          threadMs[k][run] = (t3 - t2) / 1_000_000;
          line.append(
              String.format(
                  Locale.ROOT,
                  " | after, %,d streams changed: sequencer %,.1f ms, checkpoint thread %,d ms",
                  changedStreams[k],
                  sequencerUs[k][run] / 1000.0,
                  threadMs[k][run]));
        }
      }
      System.out.println(line);
    }
    StringBuilder summary =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "median: before: sequencer thread blocked %,d ms per checkpoint",
                median(fullMs)));
    for (int k = 0; k < changedStreams.length; k++) {
      summary.append(
          String.format(
              Locale.ROOT,
              " | after, %,d streams changed: sequencer thread blocked %,.1f ms, checkpoint"
                  + " thread %,d ms",
              changedStreams[k],
              median(sequencerUs[k]) / 1000.0,
              median(threadMs[k])));
    }
    System.out.println(summary);
  }

  /** The state, restored as from a checkpoint: nothing is marked changed. */
  private void fillState() {
    producerIds = new long[sessionCount];
    nextSequences = new int[sessionCount];
    for (int i = 0; i < sessionCount; i++) {
      long id = (1L << 62) | (random.nextLong() >>> 2);
      List<WindowEntry> window = new ArrayList<>();
      int seq = random.nextInt(1000);
      long offset = random.nextInt(1 << 20);
      for (int k = 0; k < SessionSnapshot.MAX_WINDOW; k++) {
        window.add(new WindowEntry(seq, seq, offset, random.nextInt(1 << 20)));
        seq++;
        offset += 1 + random.nextInt(100);
      }
      sessions.restore(new SessionSnapshot(id, "producer-" + i, (short) 0, seq - 1, window));
      producerIds[i] = id;
      nextSequences[i] = seq;
    }
    for (int i = 0; i < streamCount; i++) {
      String name = "order-" + new UUID(random.nextLong(), random.nextLong());
      long records = 1 + random.nextInt(1000);
      streams.restore(new StreamSnapshot(name, records, random.nextLong() >>> 20, records));
      streamNames.add(name);
    }
    for (int i = 0; i < groupOffsetCount; i++) {
      groupOffsets.restore("projection-" + i, "prefix:order-", 1, random.nextLong() >>> 20);
      groupNames.add("projection-" + i);
    }
  }

  private Map<String, GroupOffset> groupOffsetMap() {
    Map<String, GroupOffset> out = new HashMap<>();
    for (GroupOffsets.Entry e : groupOffsets.entries()) {
      GroupOffset g =
          new GroupOffset(e.group(), e.subscription(), e.committedOffset(), e.generation());
      out.put(g.key(), g);
    }
    return out;
  }

  /**
   * Folds one-record batches into the state as the sequencer does when it stamps them: {@code
   * count} distinct streams, written by the first {@code changedSessions} producers in turn, and
   * offset commits of some groups.
   */
  private void change(int count) {
    for (int i = 0; i < count; i++) {
      int p = i % changedSessions;
      String stream = streamNames.get(nextStream);
      nextStream = (nextStream + 1) % streamCount;
      builder.begin(stream, producerIds[p], (short) 0, nextSequences[p]++, Compression.NONE, false);
      builder.tryAppend(1, null, new byte[100], null);
      stampAndFold(stream);
    }
    for (int i = 0; i < Math.min(CHANGED_GROUP_OFFSETS, groupNames.size()); i++) {
      String group = groupNames.get(random.nextInt(groupNames.size()));
      builder.begin(
          GroupControl.OFFSETS_STREAM,
          RecordBatch.NO_PRODUCER_ID,
          (short) 0,
          -1,
          Compression.NONE,
          true);
      builder.tryAppend(
          1,
          GroupControl.key(group),
          GroupControl.value("prefix:order-", 1, nextOffset, "member"),
          null);
      stampAndFold(GroupControl.OFFSETS_STREAM);
    }
  }

  private void stampAndFold(String stream) {
    ByteBuffer batch = builder.build();
    view.wrap(batch, batch.position());
    view.stamp(
        nextOffset, 1, streams.nextVersion(stream), RecordBatch.NO_PREVIOUS_BATCH, 1_700_000_000L);
    nextOffset += view.recordCount();
    streams.apply(view);
    sessions.apply(view);
    groupOffsets.apply(view);
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
