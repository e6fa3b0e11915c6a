package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.server.Node;
import io.ordo.broker.server.NodeConfig;
import io.ordo.producer.Producer;
import io.ordo.producer.RecordMetadata;
import io.ordo.protocol.wire.MessageType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A producer whose response is lost (the node stored the batch, the connection died before the
 * answer arrived) retries the same batch; the node stores it once and answers with the offsets it
 * gave the first time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetryTest {
  @TempDir Path dir;

  @Test
  void aRetriedBatchWhoseResponseWasDroppedIsStoredOnce() throws Exception {
    int records = 2_000;
    List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    AtomicInteger dropped = new AtomicInteger();
    try (Node node = Node.start(NodeConfig.builder().dataDir(dir).port(0).build());
        FrameProxy proxy =
            new FrameProxy(
                node.address(), FrameProxy.dropNth(MessageType.PRODUCE_RESPONSE, 3, dropped))) {
      try (Producer p =
          Producer.builder()
              .bootstrapServers("127.0.0.1:" + proxy.port())
              .batchSizeBytes(4096)
              .retryBackoffMs(10, 50)
              .build()) {
        for (int i = 0; i < records; i++) {
          futures.add(p.send("s", null, LogContents.value(0, i, 32)));
          if (i % 100 == 99) {
            p.flush();
          }
        }
        p.flush();
      }
      assertThat(dropped.get()).as("the proxy really dropped a response").isEqualTo(1);
    }
    List<LogContents.Stored> stored = LogContents.read(dir);
    assertThat(stored).hasSize(records);
    for (int i = 0; i < records; i++) {
      LogContents.Stored s = stored.get(i);
      assertThat(s.sequence()).isEqualTo(i);
      assertThat(futures.get(i).get().offset()).isEqualTo(s.offset());
    }
  }
}
