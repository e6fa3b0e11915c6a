package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.server.Node;
import io.ordo.broker.server.NodeConfig;
import io.ordo.consumer.Admin;
import io.ordo.producer.Producer;
import io.ordo.producer.RecordMetadata;
import io.ordo.protocol.wire.ReadMessages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The derived state (producer sessions, stream versions, group offsets) across restarts of a real
 * node: a clean restart uses the Chronicle Map checkpoint and replays only the tail; with the state
 * files deleted while the node is down, it rebuilds the same state from the log.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StateRebuildTest {
  @TempDir Path dir;

  /** What a client can observe of the derived state. */
  record Observed(long committed, int generation, long nextVersion, long records) {}

  @Test
  void checkpointIsUsedAndDeletedStateIsRebuiltTheSame() throws Exception {
    long lastOffset;
    Observed before;
    try (Node node = start()) {
      String bootstrap = bootstrap(node);
      try (Producer p = Producer.builder().bootstrapServers(bootstrap).producerName("w").build()) {
        RecordMetadata last = null;
        for (int i = 0; i < 100; i++) {
          last =
              p.send("s", null, ("v-" + i).getBytes(StandardCharsets.UTF_8))
                  .get(30, TimeUnit.SECONDS);
        }
        assertThat(last.streamVersion()).isEqualTo(99);
        lastOffset = last.offset();
      }
      consume(bootstrap, 40);
      before = observe(bootstrap);
      assertThat(before.committed()).isGreaterThan(0);
      assertThat(before.nextVersion()).isEqualTo(100);
    }

    try (Node node = start()) {
      assertThat(node.stateReplayedFrom())
          .as("a clean restart replays nothing before the checkpoint")
          .isGreaterThan(lastOffset);
      assertThat(observe(bootstrap(node))).isEqualTo(before);
    }

    deleteRecursively(dir.resolve("state"));
    try (Node node = start()) {
      assertThat(node.stateReplayedFrom()).as("no state files: full replay").isZero();
      String bootstrap = bootstrap(node);
      assertThat(observe(bootstrap)).isEqualTo(before);
      try (Producer p = Producer.builder().bootstrapServers(bootstrap).producerName("w").build()) {
        RecordMetadata next =
            p.send("s", null, "v-100".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
        assertThat(next.streamVersion()).as("stream versions continue").isEqualTo(100);
      }
      consume(bootstrap, 1);
      Observed after = observe(bootstrap);
      assertThat(after.committed())
          .as("the group continues after its committed offset")
          .isGreaterThan(before.committed());
    }
  }

  private Node start() throws IOException, InterruptedException {
    return Node.start(NodeConfig.builder().dataDir(dir).port(0).build());
  }

  private static String bootstrap(Node node) {
    return "127.0.0.1:" + node.address().getPort();
  }

  private static void consume(String bootstrap, int records) {
    String out =
        OrdoCli.run(
            "consume",
            "--bootstrap-server",
            bootstrap,
            "--stream",
            "s",
            "--group",
            "g",
            "--max-records",
            Integer.toString(records));
    assertThat(out.lines().count()).isEqualTo(records);
  }

  private static Observed observe(String bootstrap) throws IOException {
    try (Admin admin = Admin.connect(bootstrap)) {
      List<ReadMessages.GroupInfo> groups = admin.describeGroups("g").groups();
      assertThat(groups).hasSize(1);
      ReadMessages.StreamInfo s =
          admin.listStreams("s").streams().stream()
              .filter(i -> i.name().equals("s"))
              .findFirst()
              .orElseThrow();
      return new Observed(
          groups.get(0).committedOffset(),
          groups.get(0).generation(),
          s.nextVersion(),
          s.records());
    }
  }

  private static void deleteRecursively(Path p) throws IOException {
    try (Stream<Path> files = Files.walk(p)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
