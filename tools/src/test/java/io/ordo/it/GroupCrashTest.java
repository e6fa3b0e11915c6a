package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.consumer.Consumer;
import io.ordo.consumer.StartPosition;
import io.ordo.consumer.StreamSelector;
import io.ordo.producer.Producer;
import io.ordo.producer.RecordMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four producers, two consumer groups of two members each, and a kill -9 of the node (a child
 * process) mid-way: every acknowledged record is stored; each group processes every stored data
 * record exactly once in log order (a member resumes right after the group's committed offset,
 * never below an acknowledged commit); and when a group's active member dies the standby takes over
 * from the committed offset.
 */
class GroupCrashTest {
  static final int PRODUCERS = 4;

  @TempDir Path dir;

  @Test
  @Timeout(value = 100, unit = TimeUnit.SECONDS)
  void groupsSeeEveryRecordOnceAcrossKillNine() throws Exception {
    run(2_000);
  }

  @Test
  @Tag("slow")
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void groupsSeeEveryRecordOnceAcrossKillNineLong() throws Exception {
    // The size: 4 producers x 250,000 = 1,000,000 records.
    run(250_000);
  }

  private void run(int records) throws Exception {
    Random rnd = TestSeed.random(GroupCrashTest.class);
    int port = NodeProcess.freePort();
    String bootstrap = "127.0.0.1:" + port;
    GroupLog[] groups = {new GroupLog(), new GroupLog()};
    List<Consumer> members = new ArrayList<>();
    Set<Long> acked = ConcurrentSet.create();
    AtomicLong ackCount = new AtomicLong();
    NodeProcess node = NodeProcess.start(dir, port);
    try {
      for (int g = 0; g < 2; g++) {
        for (int m = 0; m < 2; m++) {
          Consumer c =
              Consumer.builder()
                  .bootstrapServers(bootstrap)
                  .group("group-" + g)
                  .memberId("g" + g + "-m" + m)
                  .commitIntervalMs(10 + rnd.nextInt(50))
                  .sessionTimeoutMs(3_000)
                  .build();
          c.subscribe(StreamSelector.all(), StartPosition.earliest(), groups[g], groups[g]);
          members.add(c);
        }
      }
      List<Producer> producers = new ArrayList<>();
      List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
      try {
        for (int p = 0; p < PRODUCERS; p++) {
          producers.add(
              Producer.builder()
                  .bootstrapServers(bootstrap)
                  .producerName("gc-" + p)
                  .retryBackoffMs(20, 200)
                  .deliveryTimeoutMs(120_000)
                  .build());
        }
        int killAt = records / 3 + rnd.nextInt(records / 3);
        int closeAt = records * 3 / 4;
        for (int i = 0; i < records; i++) {
          for (int p = 0; p < PRODUCERS; p++) {
            futures.add(
                producers
                    .get(p)
                    .send("s" + p, null, LogContents.value(p, i, 50 + rnd.nextInt(100)))
                    .whenComplete(
                        (md, e) -> {
                          if (md != null) {
                            acked.add(md.offset());
                            ackCount.incrementAndGet();
                          }
                        }));
          }
          if (i == killAt) {
            long a = ackCount.get();
            node.kill();
            System.out.println("killed the node at " + a + " acknowledged records");
            node = NodeProcess.start(dir, port);
          }
          if (i == closeAt) {
            // The active member of group 0 dies without committing; its standby takes over.
            Await.until(
                "an active member in group-0",
                30_000,
                () -> members.get(0).generation() > 0 || members.get(1).generation() > 0);
            Consumer active = members.get(0).generation() > 0 ? members.get(0) : members.get(1);
            System.out.println(
                "closing the active member of group-0 at generation " + active.generation());
            active.closeAbruptly();
          }
          if (i % 500 == 0) {
            futures.get(Math.max(0, futures.size() - 2_000)).get(60, TimeUnit.SECONDS);
          }
        }
        for (Producer p : producers) {
          p.flush();
        }
      } finally {
        for (Producer p : producers) {
          p.close();
        }
      }
      for (CompletableFuture<RecordMetadata> f : futures) {
        assertThat(f).isDone();
      }
      long total = (long) PRODUCERS * records;
      assertThat(ackCount.get()).isEqualTo(total);
      for (GroupLog g : groups) {
        Await.until("group saw every record", 60_000, () -> g.size() >= total);
      }
    } finally {
      for (Consumer c : members) {
        c.close();
      }
      node.close();
    }
    List<LogContents.Stored> stored = LogContents.read(dir);
    List<Long> offsets = new ArrayList<>();
    Set<Long> storedSet = new HashSet<>();
    for (LogContents.Stored s : stored) {
      offsets.add(s.offset());
      storedSet.add(s.offset());
    }
    // A hash lookup per record: AssertJ's containsAll scans the set linearly per element.
    List<Long> missing = acked.stream().filter(o -> !storedSet.contains(o)).limit(10).toList();
    assertThat(missing).as("acknowledged records missing from the log").isEmpty();
    for (int g = 0; g < 2; g++) {
      System.out.println(
          "group-"
              + g
              + ": "
              + groups[g].activations()
              + " activations, last commit "
              + groups[g].maxAckedCommit());
      assertThat(groups[g].violation()).isNull();
      assertThat(groups[g].offsets())
          .as("group-%d processed the log exactly once", g)
          .isEqualTo(offsets);
      assertThat(groups[g].activations()).isGreaterThanOrEqualTo(g == 0 ? 3 : 2);
    }
  }

  /** A concurrent set of offsets. */
  static final class ConcurrentSet {
    private ConcurrentSet() {}

    static Set<Long> create() {
      return java.util.concurrent.ConcurrentHashMap.newKeySet();
    }
  }
}
