package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.server.Node;
import io.ordo.broker.server.NodeConfig;
import io.ordo.producer.Producer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ordo consume}, {@code ordo streams}, {@code ordo groups} and {@code ordo perf e2e}
 * commands against a real node: a second {@code consume} run of the same group continues right
 * after the first run's last committed record.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConsumeCommandTest {
  @TempDir Path dir;

  @Test
  void secondRunOfAGroupContinuesAfterTheFirstRunsLastCommittedRecord() throws Exception {
    try (Node node = Node.start(NodeConfig.builder().dataDir(dir).port(0).build())) {
      String bootstrap = "127.0.0.1:" + node.address().getPort();
      List<String> sent = new ArrayList<>();
      try (Producer p = Producer.builder().bootstrapServers(bootstrap).build()) {
        for (int i = 0; i < 100; i++) {
          sent.add("line-" + i);
          p.send("greetings", null, ("line-" + i).getBytes(StandardCharsets.UTF_8));
          p.send("other", null, ("other-" + i).getBytes(StandardCharsets.UTF_8));
        }
        p.flush();
      }
      String first = consumeGreetings(bootstrap, "--group", "cli", "--max-records", "30");
      assertThat(first.lines().toList()).isEqualTo(sent.subList(0, 30));
      String second = consumeGreetings(bootstrap, "--group", "cli", "--max-records", "50");
      assertThat(second.lines().toList()).isEqualTo(sent.subList(30, 80));
      // 20 greetings to go; the 100 "other" records and the control records are not lag
      assertThat(groupRow(bootstrap, "cli")).matches(".*stream:greetings.*\\s20\\s+-\\s+0\\s*");
      String third =
          consumeGreetings(bootstrap, "--group", "cli", "--timeout-ms", "1000", "--print-offset");
      assertThat(third.lines().toList()).hasSize(20);
      assertThat(third.lines().toList().get(19)).endsWith("\tline-99");

      String noGroup = consumeGreetings(bootstrap, "--from-beginning", "--max-records", "5");
      assertThat(noGroup.lines().toList()).isEqualTo(sent.subList(0, 5));

      String byTime = consumeGreetings(bootstrap, "--timestamp", "0", "--max-records", "3");
      assertThat(byTime.lines().toList()).isEqualTo(sent.subList(0, 3));

      String streams = OrdoCli.run("streams", "--bootstrap-server", bootstrap);
      System.out.print(streams);
      assertThat(streams).contains("greetings").contains("other").doesNotContain("$offsets");
      assertThat(streams.lines().filter(l -> l.startsWith("greetings")).findFirst().orElseThrow())
          .matches("greetings\\s+100\\s+99\\s+\\d+");

      assertThat(groupRow(bootstrap, "cli")).matches(".*stream:greetings.*\\s0\\s+-\\s+0\\s*");

      String e2e =
          OrdoCli.run(
              "perf",
              "e2e",
              "--bootstrap-server",
              bootstrap,
              "--stream",
              "lat",
              "--num-records",
              "2000",
              "--throughput",
              "2000");
      System.out.print(e2e);
      assertThat(e2e)
          .containsPattern("from send to acknowledgement: p50 [0-9.]+ ms, p99 [0-9.]+ ms")
          .containsPattern("end-to-end latency p50 [0-9.]+ ms, p99 [0-9.]+ ms");
    }
  }

  /** The {@code ordo groups --describe} row of {@code group}. */
  private static String groupRow(String bootstrap, String group) {
    String groups = OrdoCli.run("groups", "--bootstrap-server", bootstrap, "--describe");
    System.out.print(groups);
    return groups.lines().filter(l -> l.startsWith(group + " ")).findFirst().orElseThrow();
  }

  /** {@code ordo consume} of stream "greetings" with the given options. */
  private static String consumeGreetings(String bootstrap, String... options) {
    String[] args = new String[5 + options.length];
    System.arraycopy(
        new String[] {"consume", "--bootstrap-server", bootstrap, "--stream", "greetings"},
        0,
        args,
        0,
        5);
    System.arraycopy(options, 0, args, 5, options.length);
    return OrdoCli.run(args);
  }
}
