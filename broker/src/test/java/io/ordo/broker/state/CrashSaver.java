package io.ordo.broker.state;

import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.StreamVersions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Child process of {@link StateStoreCrashTest}: saves checkpoint after checkpoint, printing "saving
 * N" before and "saved N" after save N, until it is killed. The state saved by save N is a pure
 * function of (seed, mode, N), {@link #stateAt}:
 *
 * <ul>
 *   <li>{@link Mode#FULL}: a fresh random state each time, saved in full at applied offset N;
 *   <li>{@link Mode#INCREMENTAL}: the state after N rounds of random batches (a third of the
 *       streams and some sessions and group offsets change per round), saved in full the first time
 *       (or whenever the store needs it), then with only the changed entries.
 * </ul>
 */
final class CrashSaver {
  private static final int STREAMS = 6000;
  private static final int BATCHES_PER_ROUND = 2000;

  private CrashSaver() {}

  enum Mode {
    FULL,
    INCREMENTAL
  }

  record State(
      ProducerSessions sessions,
      StreamVersions streams,
      Map<String, GroupOffset> offsets,
      long appliedOffset) {}

  static State stateAt(long seed, Mode mode, long save) {
    if (mode == Mode.FULL) {
      Random r = new Random(seed * 31 + save);
      return new State(
          StateFixtures.randomSessions(r, 400),
          StateFixtures.randomStreams(r, 3000),
          StateFixtures.randomGroupOffsets(r, 300),
          save);
    }
    LogWriter w = incrementalWriter(seed);
    for (long i = 1; i <= save; i++) {
      appendRound(w);
    }
    return new State(
        w.sessions, w.streams, StateFixtures.groupOffsetsOf(w.groupOffsets), w.nextOffset());
  }

  private static LogWriter incrementalWriter(long seed) {
    return new LogWriter(null, new Random(seed), STREAMS);
  }

  private static void appendRound(LogWriter w) {
    try {
      w.appendBatches(BATCHES_PER_ROUND);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // no log: nothing is written
    }
  }

  static StateStoreConfig config(Path dataDir) {
    return StateStoreConfig.forDataDir(dataDir).withEntries(512, 4096, 512);
  }

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    Mode mode = Mode.valueOf(args[2]);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    LogWriter w = incrementalWriter(seed);
    try (StateStore store = StateStore.open(config(dataDir))) {
      for (long save = 1; in.readLine() != null; save++) {
        StateChanges changes;
        if (mode == Mode.FULL) {
          State s = stateAt(seed, mode, save);
          changes =
              StateChanges.all(s.sessions(), s.streams(), s.offsets().values(), s.appliedOffset());
        } else {
          appendRound(w);
          changes =
              store.needsFullSave()
                  ? w.state().all(w.nextOffset())
                  : w.state().changes(w.nextOffset());
        }
        System.out.println("saving " + save);
        System.out.flush();
        long startNs = System.nanoTime();
        if (!store.save(changes)) {
          System.out.println("failed " + save);
        }
        System.out.println("saved " + save);
        System.out.println(
            "took " + (System.nanoTime() - startNs) / 1_000_000 + " ms for " + changes);
        System.out.flush();
      }
    }
  }
}
