package io.ordo.broker.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.StreamVersions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints come at most once per interval, only when the log moved, and at a clean stop. */
@Timeout(60)
class StateCheckpointerTest {
  @TempDir Path tmp;

  @Test
  void savesOncePerIntervalWhenTheLogMoved() throws IOException {
    try (StateStore store =
        StateStore.open(StateStoreConfig.forDataDir(tmp).withEntries(64, 64, 64))) {
      StateCheckpointer c =
          new StateCheckpointer(
              store, new ProducerSessions(), new StreamVersions(), Map::of, 1000, 0, 0);
      assertThat(c.maybeCheckpoint(10, 999)).isFalse(); // interval not over
      assertThat(c.maybeCheckpoint(10, 1000)).isTrue();
      assertThat(store.appliedOffset()).isEqualTo(10);
      assertThat(c.maybeCheckpoint(10, 5000)).isFalse(); // log did not move
      assertThat(c.maybeCheckpoint(20, 5000)).isTrue();
      assertThat(c.maybeCheckpoint(30, 5500)).isFalse();
      assertThat(c.checkpoint(30, 5600)).isTrue(); // clean stop
      assertThat(c.checkpoint(30, 5700)).isFalse();
      assertThat(store.appliedOffset()).isEqualTo(30);
    }
  }
}
