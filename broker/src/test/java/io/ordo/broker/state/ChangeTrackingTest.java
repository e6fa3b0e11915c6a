package io.ordo.broker.state;

import static io.ordo.broker.state.StateFixtures.groupOffsetsOf;
import static io.ordo.broker.state.StateFixtures.sessionsOf;
import static io.ordo.broker.state.StateFixtures.streamsOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.sequencer.ProducerSessions.SessionSnapshot;
import io.ordo.broker.sequencer.StreamVersions.StreamSnapshot;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the state reports as changed since the last checkpoint is exactly what changed (streams and
 * sessions; a group offset committed again at the same position may be reported too), with its
 * current value; restoring from a checkpoint and forgetting changes report nothing.
 */
@Timeout(60)
class ChangeTrackingTest {
  @Test
  void changesAreExactlyWhatChangedSinceTheLastCheckpoint() throws IOException {
    Random random = new Random(StateFixtures.seed(getClass().getSimpleName()));
    for (int round = 0; round < 20; round++) {
      LogWriter w = new LogWriter(null, random, 1 + random.nextInt(500));
      DerivedState state = w.state();
      w.appendBatches(random.nextInt(300));
      if (random.nextBoolean()) {
        state.all(w.nextOffset());
      } else {
        state.changes(w.nextOffset());
      }
      assertThat(state.changedCount()).isZero();
      for (int burst = 0; burst < 50; burst++) {
        Map<Long, SessionSnapshot> sessionsBefore = sessionsOf(w.sessions);
        Map<String, StreamSnapshot> streamsBefore = streamsOf(w.streams);
        Map<String, GroupOffset> groupsBefore = groupOffsetsOf(w.groupOffsets);
        w.appendBatches(random.nextInt(random.nextBoolean() ? 5 : 200));
        StateChanges c = state.changes(w.nextOffset());
        assertThat(c.full).isFalse();

        Map<Long, SessionSnapshot> sessions = new HashMap<>();
        for (int i = 0; i < c.producers.size(); i++) {
          long id = c.producers.key(i);
          sessions.put(id, StateCodec.decodeSession(id, c.producers.value(i)));
        }
        assertThat(sessions).isEqualTo(changed(sessionsBefore, sessionsOf(w.sessions)));

        Map<String, StreamSnapshot> streams = new HashMap<>();
        for (int i = 0; i < c.streams.size(); i++) {
          streams.put(
              c.streams.key(i), StateCodec.decodeStream(c.streams.key(i), c.streams.value(i)));
        }
        assertThat(streams).isEqualTo(changed(streamsBefore, streamsOf(w.streams)));

        Map<String, GroupOffset> groupsNow = groupOffsetsOf(w.groupOffsets);
        Map<String, GroupOffset> groups = new HashMap<>();
        for (int i = 0; i < c.groups.size(); i++) {
          groups.put(c.groups.key(i), StateCodec.decodeGroup(c.groups.key(i), c.groups.value(i)));
        }
        assertThat(groups).containsAllEntriesOf(changed(groupsBefore, groupsNow));
        groups.forEach((k, v) -> assertThat(groupsNow).containsEntry(k, v));
        assertThat(state.changedCount()).isZero();
      }
    }
  }

  @Test
  void restoringAndForgettingReportNoChange() throws IOException {
    Random random = new Random(StateFixtures.seed(getClass().getSimpleName()));
    LogWriter w = new LogWriter(null, random, 100);
    w.appendBatches(500);
    LogWriter restored = new LogWriter(null, random, 100);
    w.sessions.forEachSession(restored.sessions::restore);
    w.streams.forEachStream(restored.streams::restore);
    w.groupOffsets
        .entries()
        .forEach(
            e ->
                restored.groupOffsets.restore(
                    e.group(), e.subscription(), e.generation(), e.committedOffset()));
    assertThat(restored.state().changedCount()).isZero();
    assertThat(w.state().changedCount()).isPositive();
    w.sessions.clear();
    w.streams.clear();
    w.groupOffsets.forgetChanges();
    assertThat(w.state().changedCount()).isZero();
  }

  /** The entries of {@code after} that are new or differ from {@code before}. */
  private static <K, V> Map<K, V> changed(Map<K, V> before, Map<K, V> after) {
    Map<K, V> out = new HashMap<>();
    Set<K> keys = new HashSet<>(after.keySet());
    for (K k : keys) {
      if (!Objects.equals(before.get(k), after.get(k))) {
        out.put(k, after.get(k));
      }
    }
    return out;
  }
}
