package io.ordo.broker.state;

import static io.ordo.broker.state.StateFixtures.sessionsOf;
import static io.ordo.broker.state.StateFixtures.streamsOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.StreamVersions;
import io.ordo.broker.storage.Log;
import io.ordo.broker.storage.LogClock;
import io.ordo.broker.storage.LogConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint + replay of the tail gives the same state as replaying the whole log. */
@Timeout(120)
class StateRecoveryTest {
  @TempDir Path tmp;
  private Random random;

  @BeforeEach
  void setUp() {
    random = new Random(StateFixtures.seed(getClass().getSimpleName()));
  }

  private LogConfig logConfig(Path dir) {
    return LogConfig.builder(dir.resolve("log")).segmentBytes(32 * 1024).build();
  }

  private StateStoreConfig storeConfig(Path dir) {
    return StateStoreConfig.forDataDir(dir).withEntries(1024, 1024, 1024);
  }

  @Test
  void checkpointPlusTailEqualsFullReplay() throws IOException {
    for (int round = 0; round < 12; round++) {
      Path dir = tmp.resolve("round-" + round);
      int before = round == 0 ? 0 : random.nextInt(600);
      int after = round == 1 ? 0 : random.nextInt(600);
      long applied;
      Map<String, GroupOffset> offsets = StateFixtures.randomGroupOffsets(random, 50);
      LogWriter writer;
      try (Log log = Log.open(logConfig(dir), LogClock.SYSTEM);
          StateStore store = StateStore.open(storeConfig(dir))) {
        writer = new LogWriter(log, random, 1 + random.nextInt(200));
        writer.appendBatches(before);
        applied = log.nextOffset();
        assertThat(store.save(writer.sessions, writer.streams, offsets, applied)).isTrue();
        writer.appendBatches(after);
      }
      try (Log log = Log.open(logConfig(dir), LogClock.SYSTEM);
          StateStore store = StateStore.open(storeConfig(dir))) {
        ProducerSessions sessions = new ProducerSessions();
        StreamVersions streams = new StreamVersions();
        Map<String, GroupOffset> loadedOffsets = new HashMap<>();
        long from = StateRecovery.restore(log, store, sessions, streams, loadedOffsets);
        assertThat(from).isEqualTo(applied);
        assertThat(loadedOffsets).isEqualTo(offsets);
        replay(log, from, sessions, streams);

        ProducerSessions fullSessions = new ProducerSessions();
        StreamVersions fullStreams = new StreamVersions();
        replay(log, log.startOffset(), fullSessions, fullStreams);

        assertThat(sessionsOf(sessions)).isEqualTo(sessionsOf(fullSessions));
        assertThat(streamsOf(streams)).isEqualTo(streamsOf(fullStreams));
        assertThat(sessionsOf(sessions)).isEqualTo(sessionsOf(writer.sessions));
        assertThat(streamsOf(streams)).isEqualTo(streamsOf(writer.streams));
        for (String name : new String[] {"", "producer-1", "producer-new"}) {
          long id = sessions.idFor(name);
          assertThat(id).isEqualTo(fullSessions.idFor(name));
          assertThat(sessions.nextEpoch(id)).isEqualTo(fullSessions.nextEpoch(id));
        }
      }
    }
  }

  @Test
  void aCheckpointAheadOfTheLogIsNotUsed() throws IOException {
    long applied;
    try (Log log = Log.open(logConfig(tmp), LogClock.SYSTEM);
        StateStore store = StateStore.open(storeConfig(tmp))) {
      LogWriter writer = new LogWriter(log, random, 20);
      writer.appendBatches(150);
      long boundary = log.nextOffset();
      writer.appendBatches(150);
      applied = log.nextOffset();
      store.save(writer.sessions, writer.streams, Map.of(), applied);
      log.truncateTo(boundary); // e.g. a crash lost the unflushed tail
    }
    assertFullReplay(applied);
  }

  @Test
  void aCheckpointInsideABatchIsNotUsed() throws IOException {
    long applied;
    try (Log log = Log.open(logConfig(tmp), LogClock.SYSTEM);
        StateStore store = StateStore.open(storeConfig(tmp))) {
      LogWriter writer = new LogWriter(log, random, 20);
      long mid = -1;
      while (mid < 0) {
        long base = log.nextOffset();
        writer.appendBatches(1);
        if (log.nextOffset() - base > 1) {
          mid = base + 1;
        }
      }
      writer.appendBatches(50);
      applied = mid;
      store.save(writer.sessions, writer.streams, Map.of(), applied);
    }
    assertFullReplay(applied);
  }

  @Test
  void noStoreMeansFullReplay() throws IOException {
    try (Log log = Log.open(logConfig(tmp), LogClock.SYSTEM)) {
      new LogWriter(log, random, 5).appendBatches(20);
      assertThat(StateRecovery.restore(log, null, new ProducerSessions(), new StreamVersions()))
          .isEqualTo(log.startOffset());
    }
  }

  private void assertFullReplay(long applied) throws IOException {
    try (Log log = Log.open(logConfig(tmp), LogClock.SYSTEM);
        StateStore store = StateStore.open(storeConfig(tmp))) {
      assertThat(store.appliedOffset()).isEqualTo(applied);
      ProducerSessions sessions = new ProducerSessions();
      StreamVersions streams = new StreamVersions();
      Map<String, GroupOffset> offsets = new HashMap<>();
      assertThat(StateRecovery.restore(log, store, sessions, streams, offsets))
          .isEqualTo(log.startOffset());
      assertThat(sessions.size()).isZero();
      assertThat(streams.size()).isZero();
      assertThat(offsets).isEmpty();
      assertThat(store.appliedOffset()).isEqualTo(-1);
    }
  }

  private static void replay(Log log, long from, ProducerSessions sessions, StreamVersions streams)
      throws IOException {
    log.forEachBatch(
        from,
        batch -> {
          sessions.apply(batch);
          streams.apply(batch);
        });
  }
}
