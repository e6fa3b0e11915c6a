package io.ordo.broker.state;

import static io.ordo.broker.state.StateFixtures.groupOffsetsOf;
import static io.ordo.broker.state.StateFixtures.sessionsOf;
import static io.ordo.broker.state.StateFixtures.streamsOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.StreamVersions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints come at most once per interval, only when the log moved, and at a clean stop; they
 * are written on the checkpoint thread, which never makes the caller wait, and after a failure the
 * next one holds every entry.
 */
@Timeout(60)
class StateCheckpointerTest {
  @TempDir Path tmp;
  private Random random;

  @BeforeEach
  void setUp() {
    random = new Random(StateFixtures.seed(getClass().getSimpleName()));
  }

  @AfterEach
  void noCheckpointThreadLeft() {
    assertThat(StateFixtures.liveThreads(CheckpointWriter.THREAD_NAME)).isEmpty();
  }

  private StateStoreConfig config() {
    return StateStoreConfig.forDataDir(tmp).withEntries(64, 64, 64);
  }

  @Test
  void savesOncePerIntervalWhenTheLogMoved() throws IOException {
    LogWriter w = new LogWriter(null, random, 20);
    w.appendBatches(10);
    StateStore store = StateStore.open(config());
    try (StateCheckpointer c =
        StateCheckpointer.start(store, w.state(), 1000, -1, w.nextOffset(), 0)) {
      long start = w.nextOffset();
      assertThat(store.appliedOffset()).as("full save at start").isEqualTo(start);
      w.appendBatches(10);
      assertThat(c.maybeCheckpoint(w.nextOffset(), 999)).isFalse(); // interval not over
      assertThat(c.maybeCheckpoint(w.nextOffset(), 1000)).isTrue();
      c.awaitIdle();
      assertThat(store.appliedOffset()).isEqualTo(w.nextOffset());
      assertThat(c.maybeCheckpoint(w.nextOffset(), 5000)).isFalse(); // log did not move
      w.appendBatches(10);
      assertThat(c.maybeCheckpoint(w.nextOffset(), 5000)).isTrue();
      w.appendBatches(10);
      assertThat(c.maybeCheckpoint(w.nextOffset(), 5500)).isFalse();
      assertThat(c.checkpointAndClose(w.nextOffset(), 5600)).isTrue(); // clean stop
    }
    assertThat(loadAndCompare(w)).isEqualTo(w.nextOffset());
  }

  @Test
  void theStoreIsClosedOnTheCheckpointThreadAndTheThreadStops() throws IOException {
    LogWriter w = new LogWriter(null, random, 20);
    StateStore store = StateStore.open(config());
    StateCheckpointer c = StateCheckpointer.start(store, w.state(), 1000, -1, 0, 0);
    w.appendBatches(10);
    assertThat(c.maybeCheckpoint(w.nextOffset(), 1000)).isTrue();
    assertThat(StateFixtures.liveThreads(CheckpointWriter.THREAD_NAME)).hasSize(1);
    c.close();
    c.close();
    assertThat(StateFixtures.liveThreads(CheckpointWriter.THREAD_NAME)).isEmpty();
    try (StateStore reopened = StateStore.open(config())) {
      assertThat(reopened.appliedOffset()).isEqualTo(w.nextOffset());
    }
  }

  @Test
  void aLoadedCheckpointIsBuiltOnWithoutAFullSave() throws IOException {
    LogWriter w = new LogWriter(null, random, 50);
    w.appendBatches(200);
    try (StateStore store = StateStore.open(config())) {
      assertThat(store.save(w.sessions, w.streams, groupOffsetsOf(w.groupOffsets), w.nextOffset()))
          .isTrue();
    }
    long restored = w.nextOffset();
    w.state().changes(restored); // what the checkpoint holds is no change
    w.appendBatches(50);
    List<StateChanges> saved = new ArrayList<>();
    StateStore store = StateStore.open(config());
    assertThat(store.load(new ProducerSessions(), new StreamVersions(), new HashMap<>())) // in sync
        .isEqualTo(restored);
    try (StateCheckpointer c =
        StateCheckpointer.start(
            store,
            w.state(),
            1000,
            restored,
            w.nextOffset(),
            0,
            changes -> {
              saved.add(changes);
              return store.save(changes);
            })) {
      assertThat(store.appliedOffset()).as("no save at start").isEqualTo(restored);
      assertThat(c.checkpointAndClose(w.nextOffset(), 10)).isTrue();
    }
    assertThat(saved).hasSize(1);
    assertThat(saved.get(0).full).isFalse();
    assertThat(loadAndCompare(w)).isEqualTo(w.nextOffset());
  }

  @Test
  void aFailedCheckpointIsFollowedByAFullOne() throws IOException {
    LogWriter w = new LogWriter(null, random, 50);
    w.appendBatches(100);
    List<StateChanges> handedOff = new ArrayList<>();
    int streamsAtTheFullOne;
    StateStore store = StateStore.open(config());
    try (StateCheckpointer c =
        StateCheckpointer.start(
            store,
            w.state(),
            1000,
            -1,
            w.nextOffset(),
            0,
            changes -> {
              handedOff.add(changes);
              if (handedOff.size() == 1) {
                throw new IllegalStateException("injected: disk full");
              }
              return store.save(changes);
            })) {
      w.appendBatches(100);
      assertThat(c.maybeCheckpoint(w.nextOffset(), 1000)).isTrue();
      c.awaitIdle();
      assertThat(c.savedOffset()).isLessThan(w.nextOffset());
      w.appendBatches(3);
      streamsAtTheFullOne = w.streams.size();
      assertThat(c.maybeCheckpoint(w.nextOffset(), 2000)).isTrue();
      c.awaitIdle();
      assertThat(c.savedOffset()).isEqualTo(w.nextOffset());
      w.appendBatches(3); // may add streams the full checkpoint did not hold
      assertThat(c.maybeCheckpoint(w.nextOffset(), 3000)).isTrue();
      c.awaitIdle();
    }
    assertThat(handedOff).extracting(ch -> ch.full).containsExactly(false, true, false);
    assertThat(handedOff.get(1).streams.size()).isEqualTo(streamsAtTheFullOne);
    assertThat(loadAndCompare(w)).isEqualTo(w.nextOffset());
  }

  @Test
  void changesMadeWhileASaveIsSlowGoIntoTheNextCheckpoint() throws Exception {
    LogWriter w = new LogWriter(null, random, 200);
    w.appendBatches(100);
    CountDownLatch saving = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<StateChanges> handedOff = new ArrayList<>();
    StateStore store = StateStore.open(config());
    try (StateCheckpointer c =
        StateCheckpointer.start(
            store,
            w.state(),
            1000,
            -1,
            w.nextOffset(),
            0,
            changes -> {
              handedOff.add(changes);
              saving.countDown();
              try {
                assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return store.save(changes);
            })) {
      w.appendBatches(100);
      long firstOffset = w.nextOffset();
      assertThat(c.maybeCheckpoint(firstOffset, 1000)).isTrue();
      assertThat(saving.await(30, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 10; i++) {
        w.appendBatches(50);
        assertThat(c.maybeCheckpoint(w.nextOffset(), 2000 + i * 1000L))
            .as("busy: the caller goes on")
            .isFalse();
      }
      release.countDown();
      c.awaitIdle();
      assertThat(c.savedOffset()).isEqualTo(firstOffset);
      assertThat(c.maybeCheckpoint(w.nextOffset(), 20_000)).isTrue();
      c.awaitIdle();
      assertThat(c.savedOffset()).isEqualTo(w.nextOffset());
    }
    assertThat(handedOff).hasSize(2).extracting(ch -> ch.full).containsOnly(false);
    assertThat(loadAndCompare(w)).isEqualTo(w.nextOffset());
  }

  /**
   * Loads the store into fresh objects, checks they equal the writer's state, returns the offset.
   */
  private long loadAndCompare(LogWriter w) throws IOException {
    try (StateStore store = StateStore.open(config())) {
      ProducerSessions s = new ProducerSessions();
      StreamVersions v = new StreamVersions();
      Map<String, GroupOffset> g = new HashMap<>();
      long applied = store.load(s, v, g);
      assertThat(sessionsOf(s)).isEqualTo(sessionsOf(w.sessions));
      assertThat(streamsOf(v)).isEqualTo(streamsOf(w.streams));
      assertThat(g).isEqualTo(groupOffsetsOf(w.groupOffsets));
      return applied;
    }
  }
}
