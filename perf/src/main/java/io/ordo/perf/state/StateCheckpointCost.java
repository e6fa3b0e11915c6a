package io.ordo.perf.state;

import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.ProducerSessions.SessionSnapshot;
import io.ordo.broker.sequencer.ProducerSessions.WindowEntry;
import io.ordo.broker.sequencer.StreamVersions;
import io.ordo.broker.sequencer.StreamVersions.StreamSnapshot;
import io.ordo.broker.state.GroupOffset;
import io.ordo.broker.state.StateStore;
import io.ordo.broker.state.StateStoreConfig;
import java.io.IOException;
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
 * What a state checkpoint costs the sequencer thread: a node with many streams (one per aggregate)
 * and producer sessions saves its derived state to the Chronicle Map store every minute, and every
 * append waits while the sequencer thread is busy with it.
 *
 * <p>Measures {@code StateStore.save} of the whole state, the checkpoint as the sequencer runs it,
 * and prints the median of {@code --runs}.
 *
 * <pre>
 * java $(flags of bin/ordo) -cp perf/target/benchmarks.jar io.ordo.perf.state.StateCheckpointCost \
 *     --dir /var/tmp/ordo-state-bench --streams 1000000 --sessions 10000 --runs 5
 * </pre>
 */
public final class StateCheckpointCost {
  private final Path dir;
  private final int streams;
  private final int sessions;
  private final int groupOffsets;
  private final int runs;

  private StateCheckpointCost(Path dir, int streams, int sessions, int groupOffsets, int runs) {
    this.dir = dir;
    this.streams = streams;
    this.sessions = sessions;
    this.groupOffsets = groupOffsets;
    this.runs = runs;
  }

  public static void main(String[] args) throws IOException {
    Path dir = null;
    int streams = 1_000_000;
    int sessions = 10_000;
    int groupOffsets = 1_000;
    int runs = 5;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--dir" -> dir = Path.of(require(args[i], value));
        case "--streams" -> streams = Integer.parseInt(require(args[i], value));
        case "--sessions" -> sessions = Integer.parseInt(require(args[i], value));
        case "--group-offsets" -> groupOffsets = Integer.parseInt(require(args[i], value));
        case "--runs" -> runs = Integer.parseInt(require(args[i], value));
        default -> {
          System.err.println(
              "usage: StateCheckpointCost [--dir DIR] [--streams 1000000] [--sessions 10000]"
                  + " [--group-offsets 1000] [--runs 5]");
          System.exit(2);
        }
      }
      i++;
    }
    boolean tempDir = dir == null;
    if (tempDir) {
      dir = Files.createTempDirectory("ordo-state-bench");
    }
    Files.createDirectories(dir);
    try {
      new StateCheckpointCost(dir, streams, sessions, groupOffsets, runs).run();
    } finally {
      deleteTree(dir.resolve("state"));
      if (tempDir) {
        Files.deleteIfExists(dir);
      }
    }
  }

  private static String require(String flag, String value) {
    if (value == null) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return value;
  }

  private void run() throws IOException {
    Random random = new Random(42);
    ProducerSessions s = randomSessions(random, sessions);
    StreamVersions v = randomStreams(random, streams);
    Map<String, GroupOffset> g = randomGroupOffsets(random, groupOffsets);
    deleteTree(dir.resolve("state"));
    StateStoreConfig config =
        StateStoreConfig.forDataDir(dir)
            .withEntries(2L * sessions, 2L * streams, 2L * groupOffsets);
    System.out.printf(
        Locale.ROOT,
        "dir %s: %,d streams, %,d producer sessions (full dedup windows), %,d group offsets,"
            + " %d runs%n",
        dir,
        streams,
        sessions,
        groupOffsets,
        runs);
    long[] fullMs = new long[runs];
    try (StateStore store = StateStore.open(config)) {
      store.save(s, v, g, 1); // first save: creates the entries
      for (int run = 0; run < runs; run++) {
        long t0 = System.nanoTime();
        if (!store.save(s, v, g, 2 + run)) {
          throw new IOException("save failed");
        }
        fullMs[run] = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf(
            Locale.ROOT,
            "run %d: full save on the sequencer thread %,d ms%n",
            run + 1,
            fullMs[run]);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "median: sequencer thread blocked by a checkpoint %,d ms (full save %,d ms)%n",
        median(fullMs),
        median(fullMs));
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static ProducerSessions randomSessions(Random r, int count) {
    ProducerSessions out = new ProducerSessions();
    for (int i = 0; i < count; i++) {
      long id = (1L << 62) | (r.nextLong() >>> 2);
      List<WindowEntry> window = new ArrayList<>();
      int seq = r.nextInt(1000);
      long offset = r.nextInt(1 << 20);
      for (int k = 0; k < SessionSnapshot.MAX_WINDOW; k++) {
        window.add(new WindowEntry(seq, seq, offset, r.nextInt(1 << 20)));
        seq++;
        offset += 1 + r.nextInt(100);
      }
      out.restore(new SessionSnapshot(id, "producer-" + i, (short) 0, seq - 1, window));
    }
    return out;
  }

  static StreamVersions randomStreams(Random r, int count) {
    StreamVersions out = new StreamVersions();
    for (int i = 0; i < count; i++) {
      long records = 1 + r.nextInt(1000);
      out.restore(
          new StreamSnapshot(
              "order-" + new UUID(r.nextLong(), r.nextLong()),
              records,
              r.nextLong() >>> 20,
              records));
    }
    return out;
  }

  static Map<String, GroupOffset> randomGroupOffsets(Random r, int count) {
    Map<String, GroupOffset> out = new HashMap<>();
    for (int i = 0; i < count; i++) {
      GroupOffset g = new GroupOffset("projection-" + i, "prefix:order-", r.nextLong() >>> 20, 1);
      out.put(g.key(), g);
    }
    return out;
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
