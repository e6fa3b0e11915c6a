package io.ordo.broker.state;

import io.ordo.broker.groups.GroupOffsets;
import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.ProducerSessions.SessionSnapshot;
import io.ordo.broker.sequencer.ProducerSessions.WindowEntry;
import io.ordo.broker.sequencer.StreamVersions;
import io.ordo.broker.sequencer.StreamVersions.StreamSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Random state for the store tests, and the state as comparable values. Not thread-safe. */
final class StateFixtures {
  private StateFixtures() {}

  static long seed(String testName) {
    String property = System.getProperty("ordo.seed");
    long seed = property != null ? Long.parseLong(property) : new Random().nextLong();
    System.out.println(testName + " seed: " + seed + " (replay with -Dordo.seed=" + seed + ")");
    return seed;
  }

  static ProducerSessions randomSessions(Random r, int count) {
    ProducerSessions sessions = new ProducerSessions();
    for (int i = 0; i < count; i++) {
      long id = r.nextBoolean() ? i + 1 : (1L << 62) | r.nextLong() >>> 2;
      String name = id >= (1L << 62) ? "producer-" + r.nextInt(1_000_000) + "-é" : "";
      int windowSize = r.nextInt(SessionSnapshot.MAX_WINDOW + 1);
      List<WindowEntry> window = new ArrayList<>();
      int seq = r.nextInt(1000);
      long offset = r.nextInt(1 << 20);
      for (int k = 0; k < windowSize; k++) {
        int n = 1 + r.nextInt(50);
        window.add(new WindowEntry(seq, seq + n - 1, offset, r.nextInt(1 << 20)));
        seq += n;
        offset += n + r.nextInt(100);
      }
      sessions.restore(
          new SessionSnapshot(id, name, (short) r.nextInt(Short.MAX_VALUE), seq - 1, window));
    }
    return sessions;
  }

  static StreamVersions randomStreams(Random r, int count) {
    StreamVersions streams = new StreamVersions();
    for (int i = 0; i < count; i++) {
      long records = r.nextInt(1 << 30);
      streams.restore(
          new StreamSnapshot(
              "stream-" + i + "-" + Long.toHexString(r.nextLong()),
              records + r.nextInt(10),
              r.nextBoolean() ? -1 : r.nextLong() >>> 1,
              records));
    }
    return streams;
  }

  static Map<String, GroupOffset> randomGroupOffsets(Random r, int count) {
    Map<String, GroupOffset> out = new HashMap<>();
    for (int i = 0; i < count; i++) {
      GroupOffset g =
          new GroupOffset(
              "group-" + r.nextInt(count),
              r.nextBoolean() ? "stream-" + i : "prefix:orders." + i,
              r.nextLong() >>> 1,
              r.nextInt(1000));
      out.put(g.key(), g);
    }
    return out;
  }

  static Map<Long, SessionSnapshot> sessionsOf(ProducerSessions sessions) {
    Map<Long, SessionSnapshot> out = new HashMap<>();
    sessions.forEachSession(s -> out.put(s.producerId(), s));
    return out;
  }

  static Map<String, GroupOffset> groupOffsetsOf(GroupOffsets groupOffsets) {
    Map<String, GroupOffset> out = new HashMap<>();
    for (GroupOffsets.Entry e : groupOffsets.entries()) {
      GroupOffset g =
          new GroupOffset(e.group(), e.subscription(), e.committedOffset(), e.generation());
      out.put(g.key(), g);
    }
    return out;
  }

  /** Threads of this JVM that are alive and whose name starts with {@code prefix}. */
  static List<String> liveThreads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .map(Thread::getName)
        .toList();
  }

  static Map<String, StreamSnapshot> streamsOf(StreamVersions streams) {
    Map<String, StreamSnapshot> out = new HashMap<>();
    streams.forEachStream(s -> out.put(s.stream(), s));
    return out;
  }
}
