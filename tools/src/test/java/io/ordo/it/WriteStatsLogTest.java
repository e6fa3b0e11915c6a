package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ordo.broker.sequencer.Sequencer;
import io.ordo.broker.server.Node;
import io.ordo.broker.server.NodeConfig;
import io.ordo.producer.Producer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code stats.interval.ms}: a real node fed by the real producer logs its write path by stage once
 * per interval, counting the requests it answered; with 0 it logs nothing of the kind.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WriteStatsLogTest {
  @TempDir Path dir;

  private final Logger logger = (Logger) LoggerFactory.getLogger(Sequencer.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private Level previousLevel;

  @BeforeEach
  void listen() {
    previousLevel = logger.getLevel();
    logger.setLevel(Level.INFO);
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void stopListening() {
    logger.detachAppender(appender);
    appender.stop();
    logger.setLevel(previousLevel);
  }

  private List<String> writePathLines() {
    synchronized (appender) { // AppenderBase appends under this lock
      return appender.list.stream()
          .map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.startsWith("write path"))
          .toList();
    }
  }

  private static void send(Node node, int records) throws InterruptedException {
    try (Producer p =
        Producer.builder().bootstrapServers("127.0.0.1:" + node.address().getPort()).build()) {
      for (int i = 0; i < records; i++) {
        p.send("stats", null, ("r" + i).getBytes(StandardCharsets.UTF_8));
      }
      p.flush();
    }
  }

  @Test
  void aNodeReportsItsWritePathEachInterval() throws Exception {
    try (Node node =
        Node.start(NodeConfig.builder().dataDir(dir).port(0).statsIntervalMs(1000).build())) {
      send(node, 2000);
      // the sequencer reports on its next group or idle tick once the interval is over
      Await.until("a write path line", 20_000, () -> !writePathLines().isEmpty());
      String line = writePathLines().get(0);
      System.out.println(line);
      assertThat(line)
          .containsPattern("write path, last \\d+ s: [1-9]\\d* requests answered, [1-9]\\d* groups")
          .containsPattern("request in node p50 [0-9.]+ / p99 [0-9.]+ / max [0-9.]+ ms")
          .containsPattern("group fsync p50 [0-9.]+ / p99 [0-9.]+ / max [0-9.]+ ms");
    }
  }

  @Test
  void anIntervalOfZeroLogsNothing() throws Exception {
    // A witness node with a 1 s interval, fed the same way at the same time: once it has logged
    // two lines, more than an interval has passed for both, so a line from the silent node would
    // be there too, from its own sequencer thread.
    try (Node silent =
            Node.start(
                NodeConfig.builder()
                    .dataDir(dir.resolve("silent"))
                    .port(0)
                    .statsIntervalMs(0)
                    .build());
        Node witness =
            Node.start(
                NodeConfig.builder()
                    .dataDir(dir.resolve("witness"))
                    .port(0)
                    .statsIntervalMs(1000)
                    .build())) {
      Await.until(
          "two lines from the witness",
          20_000,
          () -> {
            try {
              send(silent, 100);
              send(witness, 100);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return writePathThreads().size() == 1 && writePathLines().size() >= 2;
          });
    }
    assertThat(writePathThreads()).as("sequencer threads that logged a write path").hasSize(1);
  }

  private Set<String> writePathThreads() {
    synchronized (appender) {
      return appender.list.stream()
          .filter(e -> e.getFormattedMessage().startsWith("write path"))
          .map(ILoggingEvent::getThreadName)
          .collect(Collectors.toSet());
    }
  }
}
