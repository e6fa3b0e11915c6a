package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.server.Node;
import io.ordo.broker.server.NodeConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ordo perf produce} against a real node: the warm-up and the measured records are all
 * stored and acknowledged, and the last line has the shape of Kafka's producer performance tool.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PerfProduceCommandTest {
  @TempDir Path dir;

  @Test
  void sendsWarmUpAndMeasuredRecordsAndPrintsAKafkaShapedSummary() throws Exception {
    try (Node node = Node.start(NodeConfig.builder().dataDir(dir).port(0).build())) {
      String bootstrap = "127.0.0.1:" + node.address().getPort();
      String out =
          OrdoCli.run(
              "perf",
              "produce",
              "--bootstrap-server",
              bootstrap,
              "--stream",
              "bench",
              "--num-records",
              "3000",
              "--warmup-records",
              "1000",
              "--record-size",
              "50",
              "--throughput",
              "20000",
              "--report-interval-ms",
              "50");
      System.out.print(out);
      assertThat(out).contains("warm-up: 1000 records sent and acknowledged");
      assertThat(out.lines().filter(l -> l.contains("ms max latency.")).count())
          .as("progress lines")
          .isPositive();
      assertThat(out)
          .containsPattern(
              "3000 records sent, [0-9.]+ records/sec \\([0-9.]+ MB/sec\\), [0-9.]+ ms avg latency,"
                  + " [0-9.]+ ms max latency, \\d+ ms 50th, \\d+ ms 95th, \\d+ ms 99th, \\d+ ms"
                  + " 99.9th.")
          .contains("failed 0");
      String streams = OrdoCli.run("streams", "--bootstrap-server", bootstrap);
      assertThat(streams.lines().filter(l -> l.startsWith("bench")).findFirst().orElseThrow())
          .matches("bench\\s+4000\\s+3999\\s+\\d+");
    }
  }
}
