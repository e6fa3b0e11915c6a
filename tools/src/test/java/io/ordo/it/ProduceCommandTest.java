package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.server.Node;
import io.ordo.broker.server.NodeConfig;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ordo produce} as a user runs it: lines of stdin become records (keys and headers on
 * request) and exit status 0 means every one was stored; with no node to talk to it fails with
 * status 1 and says how many records were not stored.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProduceCommandTest {
  @TempDir Path dir;

  private static OrdoCli.Result produce(String stdin, String... args) {
    InputStream saved = System.in;
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    try {
      String[] all = new String[args.length + 1];
      all[0] = "produce";
      System.arraycopy(args, 0, all, 1, args.length);
      return OrdoCli.execute(all);
    } finally {
      System.setIn(saved);
    }
  }

  @Test
  void everyLineIsStoredInOrderWithItsKeyAndTheHeaders() throws Exception {
    try (Node node = Node.start(NodeConfig.builder().dataDir(dir).port(0).build())) {
      String bootstrap = "127.0.0.1:" + node.address().getPort();
      OrdoCli.Result r =
          produce(
              "k1:first\nsecond line, no key\nk3:third: with a colon\n",
              "--bootstrap-server",
              bootstrap,
              "--stream",
              "lines",
              "--parse-key",
              "--key-separator",
              ":",
              "--header",
              "source=test",
              "--header",
              "n=1");
      assertThat(r.code()).as(r.err()).isZero();
      String out =
          OrdoCli.run(
              "consume",
              "--bootstrap-server",
              bootstrap,
              "--stream",
              "lines",
              "--from-beginning",
              "--max-records",
              "3",
              "--print-offset",
              "--print-key",
              "--print-headers");
      List<String[]> lines = out.lines().map(l -> l.split("\t", 4)).toList();
      assertThat(lines).hasSize(3);
      assertThat(lines)
          .extracting(f -> f[3])
          .containsExactly("first", "second line, no key", "third: with a colon");
      assertThat(lines.get(0)[1]).isEqualTo("k1");
      assertThat(lines.get(2)[1]).isEqualTo("k3");
      assertThat(lines).allMatch(f -> f[2].equals("source=test,n=1"));
      long first = Long.parseLong(lines.get(0)[0]);
      assertThat(lines)
          .extracting(f -> Long.parseLong(f[0]))
          .containsExactly(first, first + 1, first + 2);
    }
  }

  @Test
  void withNoNodeListeningItFailsWithStatus1AndSaysWhatWasNotStored() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // free, and closed again: nothing listens there
    }
    long start = System.nanoTime();
    OrdoCli.Result r =
        produce(
            "a\nb\n",
            "--bootstrap-server",
            "127.0.0.1:" + port,
            "--stream",
            "lines",
            "--delivery-timeout-ms",
            "1500");
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("2 of 2 records were not stored");
    assertThat(tookMs)
        .as("bounded by --delivery-timeout-ms, not the 120 s default")
        .isLessThan(30_000);
  }
}
