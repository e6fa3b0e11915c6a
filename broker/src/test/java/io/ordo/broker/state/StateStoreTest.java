package io.ordo.broker.state;

import static io.ordo.broker.state.StateFixtures.randomGroupOffsets;
import static io.ordo.broker.state.StateFixtures.randomSessions;
import static io.ordo.broker.state.StateFixtures.randomStreams;
import static io.ordo.broker.state.StateFixtures.sessionsOf;
import static io.ordo.broker.state.StateFixtures.streamsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.StreamVersions;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Chronicle Map checkpoint: round trips, and every way it can be unusable gives -1. */
@Timeout(120)
class StateStoreTest {
  @TempDir Path tmp;
  private Random random;
  private Set<Thread> threadsBefore;

  @BeforeEach
  void setUp() {
    random = new Random(StateFixtures.seed(getClass().getSimpleName()));
    threadsBefore = Thread.getAllStackTraces().keySet();
  }

  @AfterEach
  void noThreadLeft() {
    Set<String> extra =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> !threadsBefore.contains(t) && t.isAlive())
            .map(Thread::getName)
            .collect(Collectors.toSet());
    System.out.println("threads started and still alive after the test: " + extra);
    assertThat(extra).allMatch(n -> n.startsWith("junit-"));
  }

  private StateStoreConfig config(Path dir) {
    return StateStoreConfig.forDataDir(dir).withEntries(4096, 8192, 4096);
  }

  @Test
  void roundTripOfRandomState() throws IOException {
    roundTrip(tmp);
  }

  @Test
  void roundTripOnTheWorktreeVolume() throws IOException {
    Path dir = Path.of("target", "state-test-" + System.nanoTime());
    try {
      roundTrip(dir);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
    }
  }

  private void roundTrip(Path dataDir) throws IOException {
    ProducerSessions sessions = randomSessions(random, 3000);
    StreamVersions streams = randomStreams(random, 5000);
    Map<String, GroupOffset> offsets = randomGroupOffsets(random, 3000);
    try (StateStore store = StateStore.open(config(dataDir))) {
      assertThat(store.load(new ProducerSessions(), new StreamVersions(), new HashMap<>()))
          .isEqualTo(-1);
      assertThat(store.save(sessions, streams, offsets, 12345)).isTrue();
    }
    try (StateStore store = StateStore.open(config(dataDir))) {
      ProducerSessions s = new ProducerSessions();
      StreamVersions v = new StreamVersions();
      Map<String, GroupOffset> g = new HashMap<>();
      assertThat(store.load(s, v, g)).isEqualTo(12345);
      assertThat(sessionsOf(s)).isEqualTo(sessionsOf(sessions));
      assertThat(streamsOf(v)).isEqualTo(streamsOf(streams));
      assertThat(g).isEqualTo(offsets);
      for (String name : new String[] {"", "producer-x"}) {
        assertThat(s.idFor(name)).isEqualTo(sessions.idFor(name));
      }
    }
  }

  @Test
  void aSecondSaveReplacesTheFirstIncludingRemovedOffsets() throws IOException {
    try (StateStore store = StateStore.open(config(tmp))) {
      store.save(
          randomSessions(random, 100),
          randomStreams(random, 100),
          randomGroupOffsets(random, 500),
          10);
      ProducerSessions sessions = randomSessions(random, 50);
      StreamVersions streams = randomStreams(random, 70);
      Map<String, GroupOffset> offsets = randomGroupOffsets(random, 20);
      assertThat(store.save(sessions, streams, offsets, 20)).isTrue();
      ProducerSessions s = new ProducerSessions();
      StreamVersions v = new StreamVersions();
      Map<String, GroupOffset> g = new HashMap<>();
      assertThat(store.load(s, v, g)).isEqualTo(20);
      assertThat(sessionsOf(s)).isEqualTo(sessionsOf(sessions));
      assertThat(streamsOf(v)).isEqualTo(streamsOf(streams));
      assertThat(g).isEqualTo(offsets);
    }
  }

  @Test
  void aMapThatOutgrowsItsSizeIsRecreatedLarger() throws IOException {
    StateStoreConfig small = StateStoreConfig.forDataDir(tmp).withEntries(16, 16, 16);
    ProducerSessions sessions = randomSessions(random, 2000);
    StreamVersions streams = randomStreams(random, 5000);
    Map<String, GroupOffset> offsets = randomGroupOffsets(random, 3000);
    try (StateStore store = StateStore.open(small)) {
      assertThat(store.save(sessions, streams, offsets, 7)).isTrue();
    }
    try (StateStore store = StateStore.open(small)) {
      ProducerSessions s = new ProducerSessions();
      StreamVersions v = new StreamVersions();
      Map<String, GroupOffset> g = new HashMap<>();
      assertThat(store.load(s, v, g)).isEqualTo(7);
      assertThat(sessionsOf(s)).isEqualTo(sessionsOf(sessions));
      assertThat(streamsOf(v)).isEqualTo(streamsOf(streams));
      assertThat(g).isEqualTo(offsets);
    }
  }

  @Test
  void deletedFilesMeanNoCheckpoint() throws IOException {
    saveSome(99);
    for (String f : StateStore.MAP_FILES) {
      Files.delete(tmp.resolve("state").resolve(f));
    }
    assertThat(loadFresh()).isEqualTo(-1);
  }

  /** Each file of the state store: the three maps and the meta file. */
  static Stream<String> mapFiles() {
    return Stream.of(
        StateStore.PRODUCERS_FILE,
        StateStore.STREAMS_FILE,
        StateStore.GROUPS_FILE,
        StateStore.META_FILE);
  }

  @ParameterizedTest
  @MethodSource("mapFiles")
  void aDeletedMapFileMeansNoCheckpoint(String file) throws IOException {
    saveSome(99);
    Files.delete(tmp.resolve("state").resolve(file));
    assertThat(loadFresh()).isEqualTo(-1);
  }

  @ParameterizedTest
  @MethodSource("mapFiles")
  void aTruncatedMapFileMeansNoCheckpoint(String file) throws IOException {
    saveSome(99);
    Path f = tmp.resolve("state").resolve(file);
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(raf.length() / 3);
    }
    assertThat(loadFresh()).isEqualTo(-1);
  }

  @ParameterizedTest
  @MethodSource("mapFiles")
  void garbageInAMapFileMeansNoCheckpointAndNoException(String file) throws IOException {
    saveSome(99);
    Path f = tmp.resolve("state").resolve(file);
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      byte[] garbage = new byte[(int) Math.min(raf.length(), 1 << 20)];
      random.nextBytes(garbage);
      raf.seek(0);
      raf.write(garbage);
    }
    assertThat(loadFresh()).isEqualTo(-1);
  }

  @Test
  void aSaveInterruptedBeforeTheMetaIsNotUsed() throws IOException {
    saveSome(99);
    try (StateStore store = StateStore.open(config(tmp))) {
      store.meta().put(StateStore.META_SAVING, 200L); // what a crash mid-save leaves
    }
    assertThat(loadFresh()).isEqualTo(-1);
  }

  @Test
  void mapsChangedWithoutTheirMetaAreNotUsed() throws IOException {
    saveSome(99);
    try (StateStore store = StateStore.open(config(tmp))) {
      store.streamsMap().put("extra", new byte[StateCodec.STREAM_BYTES]);
    }
    assertThat(loadFresh()).isEqualTo(-1);
    try (StateStore store = StateStore.open(config(tmp))) {
      store.streamsMap().remove("extra");
      byte[] v = store.streamsMap().values().iterator().next();
      String k = store.streamsMap().keySet().iterator().next();
      byte[] changed = v.clone();
      changed[0]++;
      store.streamsMap().put(k, changed);
    }
    assertThat(loadFresh()).isEqualTo(-1);
  }

  @Test
  void aChangedAppliedOffsetIsNotUsed() throws IOException {
    saveSome(99);
    try (StateStore store = StateStore.open(config(tmp))) {
      store.meta().put(StateStore.META_APPLIED, 98L);
    }
    assertThat(loadFresh()).isEqualTo(-1);
  }

  @Test
  void anotherFormatIsStartedAfresh() throws IOException {
    saveSome(99);
    try (StateStore store = StateStore.open(config(tmp))) {
      store.meta().put(StateStore.META_FORMAT, StateStore.FORMAT + 1);
    }
    assertThat(loadFresh()).isEqualTo(-1);
  }

  @Test
  void reopensInTheSameJvmAndRefusesASecondOpener() throws IOException {
    for (int i = 0; i < 5; i++) {
      try (StateStore store = StateStore.open(config(tmp))) {
        assertThatThrownBy(() -> StateStore.open(config(tmp))).isInstanceOf(IOException.class);
        assertThat(StateRecovery.openOrNull(config(tmp))).isNull();
        if (i > 0) {
          assertThat(store.appliedOffset()).isEqualTo(i - 1);
        }
        store.save(randomSessions(random, 10), randomStreams(random, 10), Map.of(), i);
      }
    }
  }

  @Test
  void closedStoreRefusesUse() throws IOException {
    StateStore store = StateStore.open(config(tmp));
    store.close();
    store.close();
    assertThatThrownBy(() -> store.appliedOffset()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void timingOf10kSessionsAnd100kStreams() throws IOException {
    ProducerSessions sessions = randomSessions(random, 10_000);
    StreamVersions streams = randomStreams(random, 100_000);
    StateStoreConfig c = StateStoreConfig.forDataDir(tmp);
    try (StateStore store = StateStore.open(c)) {
      for (int i = 0; i < 3; i++) {
        long t0 = System.nanoTime();
        assertThat(store.save(sessions, streams, Map.of(), 1000 + i)).isTrue();
        System.out.printf(
            "save #%d of 10,000 sessions + 100,000 streams: %d ms%n",
            i, (System.nanoTime() - t0) / 1_000_000);
      }
    }
    for (int i = 0; i < 2; i++) {
      long t0 = System.nanoTime();
      try (StateStore store = StateStore.open(c)) {
        long t1 = System.nanoTime();
        ProducerSessions s = new ProducerSessions();
        StreamVersions v = new StreamVersions();
        assertThat(store.load(s, v, new HashMap<>())).isEqualTo(1002);
        System.out.printf(
            "open #%d: %d ms, load: %d ms%n",
            i, (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
        assertThat(s.size()).isEqualTo(10_000);
        assertThat(v.size()).isEqualTo(100_000);
      }
    }
    try (Stream<Path> files = Files.list(c.dir())) {
      files.forEach(
          f -> System.out.println(f.getFileName() + ": " + f.toFile().length() + " bytes"));
    }
  }

  private void saveSome(long applied) throws IOException {
    try (StateStore store = StateStore.open(config(tmp))) {
      assertThat(
              store.save(
                  randomSessions(random, 300),
                  randomStreams(random, 500),
                  randomGroupOffsets(random, 300),
                  applied))
          .isTrue();
    }
    assertThat(loadFresh()).isEqualTo(applied);
  }

  private long loadFresh() throws IOException {
    try (StateStore store = StateStore.open(config(tmp))) {
      ProducerSessions s = new ProducerSessions();
      StreamVersions v = new StreamVersions();
      Map<String, GroupOffset> g = new HashMap<>();
      long applied = store.load(s, v, g);
      if (applied < 0) {
        assertThat(s.size()).isZero();
        assertThat(v.size()).isZero();
        assertThat(g).isEmpty();
      }
      return applied;
    }
  }
}
