package io.ordo.broker.state;

import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.StreamVersions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Child process of {@link StateStoreCrashTest}: saves checkpoint after checkpoint of state that is
 * a pure function of (seed, applied offset), printing "saving N" before and "saved N" after each,
 * until it is killed.
 */
final class CrashSaver {
  private CrashSaver() {}

  record State(
      ProducerSessions sessions, StreamVersions streams, Map<String, GroupOffset> offsets) {}

  static State stateAt(long seed, long applied) {
    Random r = new Random(seed * 31 + applied);
    return new State(
        StateFixtures.randomSessions(r, 400),
        StateFixtures.randomStreams(r, 3000),
        StateFixtures.randomGroupOffsets(r, 300));
  }

  static StateStoreConfig config(Path dataDir) {
    return StateStoreConfig.forDataDir(dataDir).withEntries(512, 4096, 512);
  }

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (StateStore store = StateStore.open(config(dataDir))) {
      for (long applied = 1; in.readLine() != null; applied++) {
        State s = stateAt(seed, applied);
        System.out.println("saving " + applied);
        System.out.flush();
        if (!store.save(s.sessions(), s.streams(), s.offsets(), applied)) {
          System.out.println("failed " + applied);
        }
        System.out.println("saved " + applied);
        System.out.flush();
      }
    }
  }
}
