package io.ordo.broker.state;

import static io.ordo.broker.state.StateFixtures.groupOffsetsOf;
import static io.ordo.broker.state.StateFixtures.sessionsOf;
import static io.ordo.broker.state.StateFixtures.streamsOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.StreamVersions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental checkpoints over a random sequence of changes (producer inits and batches, stream
 * appends, group activations and commits, folded in as the sequencer folds them) load back to
 * exactly the live state, and leave the same counts and checksums in the meta as a full save of
 * that state into a fresh store; across reopens (a loaded checkpoint is built on) and across maps
 * growing past their size.
 */
class IncrementalSaveTest {
  private static final List<String> TOTALS =
      List.of(
          "producers.count",
          "producers.checksum",
          "streams.count",
          "streams.checksum",
          "groups.count",
          "groups.checksum");

  @TempDir Path tmp;

  @Test
  @Timeout(180)
  void incrementalSavesEqualTheStateAndAFullSaveOfIt() throws IOException {
    run(80);
  }

  @Test
  @Tag("slow")
  @Timeout(1800)
  void manyIncrementalSavesEqualTheStateAndAFullSaveOfIt() throws IOException {
    run(3000);
  }

  @Test
  @Timeout(60)
  void aMapThatFillsUpInsideAnIncrementalSaveIsGrownAndTheSaveCompletes() throws IOException {
    Random random = new Random(StateFixtures.seed(getClass().getSimpleName()));
    LogWriter w = new LogWriter(null, random, 100_000);
    w.appendBatches(10);
    StateStoreConfig small = StateStoreConfig.forDataDir(tmp).withEntries(8, 8, 8);
    try (StateStore store = StateStore.open(small)) {
      assertThat(store.save(w.state().all(w.nextOffset()))).isTrue();
    }
    // Reopened with a larger size configured: the files keep their own (small) capacity, so the
    // puts fill a map before the store expects it.
    StateStoreConfig larger = StateStoreConfig.forDataDir(tmp).withEntries(8, 100_000, 8);
    try (StateStore store = StateStore.open(larger)) {
      assertLoadsAsLive(store, w);
      w.appendBatches(2000);
      assertThat(store.save(w.state().changes(w.nextOffset()))).isTrue();
      assertLoadsAsLive(store, w);
    }
    try (StateStore store = StateStore.open(larger)) {
      assertLoadsAsLive(store, w);
    }
  }

  private void run(int steps) throws IOException {
    Random random = new Random(StateFixtures.seed(getClass().getSimpleName()));
    LogWriter w = new LogWriter(null, random, 1 + random.nextInt(3000));
    // Small maps: incremental saves must grow them (carrying the entries over) many times.
    StateStoreConfig config = StateStoreConfig.forDataDir(tmp.resolve("inc")).withEntries(8, 8, 8);
    StateStore store = StateStore.open(config);
    try {
      w.appendBatches(random.nextInt(100));
      assertThat(store.needsFullSave()).isTrue();
      assertThat(store.save(w.state().changes(w.nextOffset()))).as("refused").isFalse();
      assertThat(store.save(w.state().all(w.nextOffset()))).isTrue();
      int saves = 0;
      int reopens = 0;
      for (int step = 0; step < steps; step++) {
        w.appendBatches(random.nextInt(random.nextInt(4) == 0 ? 1500 : 40));
        StateChanges changes = w.state().changes(w.nextOffset());
        assertThat(store.needsFullSave()).isFalse();
        assertThat(store.save(changes)).as("save of %s", changes).isTrue();
        saves++;
        if (random.nextInt(8) == 0) {
          store.close();
          store = StateStore.open(config);
          assertLoadsAsLive(store, w);
          reopens++;
        }
        if (random.nextInt(10) == 0 || step == steps - 1) {
          assertSameTotalsAsAFullSave(store, w, step);
        }
      }
      System.out.printf(
          "%d incremental saves, %d reopens: %d sessions, %d streams, %d group offsets%n",
          saves,
          reopens,
          w.sessions.size(),
          w.streams.size(),
          groupOffsetsOf(w.groupOffsets).size());
    } finally {
      store.close();
    }
    try (StateStore reopened = StateStore.open(config)) {
      assertLoadsAsLive(reopened, w);
    }
  }

  /** Loads into fresh objects and compares with the writer's live state. */
  private static void assertLoadsAsLive(StateStore store, LogWriter w) {
    ProducerSessions s = new ProducerSessions();
    StreamVersions v = new StreamVersions();
    Map<String, GroupOffset> g = new HashMap<>();
    assertThat(store.load(s, v, g)).isEqualTo(w.nextOffset());
    assertThat(sessionsOf(s)).isEqualTo(sessionsOf(w.sessions));
    assertThat(streamsOf(v)).isEqualTo(streamsOf(w.streams));
    assertThat(g).isEqualTo(groupOffsetsOf(w.groupOffsets));
    for (String name : new String[] {"", "producer-1", "producer-new"}) {
      assertThat(s.idFor(name)).isEqualTo(w.sessions.idFor(name));
    }
  }

  private void assertSameTotalsAsAFullSave(StateStore store, LogWriter w, int step)
      throws IOException {
    StateStoreConfig fullConfig =
        StateStoreConfig.forDataDir(tmp.resolve("full-" + step)).withEntries(64, 64, 64);
    try (StateStore full = StateStore.open(fullConfig)) {
      assertThat(full.save(w.sessions, w.streams, groupOffsetsOf(w.groupOffsets), w.nextOffset()))
          .isTrue();
      for (String key : TOTALS) {
        assertThat(store.meta().get(key)).as(key).isEqualTo(full.meta().get(key));
      }
    }
  }
}
