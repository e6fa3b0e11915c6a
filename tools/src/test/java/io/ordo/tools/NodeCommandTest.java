package io.ordo.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ordo.broker.server.NodeConfig;
import io.ordo.broker.storage.FsyncPolicy;
import io.ordo.protocol.wire.Transport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ordo node}'s settings: the properties file, flags over it, and bad values. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NodeCommandTest {
  @TempDir Path dir;

  private NodeConfig configFrom(String properties, String... flags) throws IOException {
    Path file = dir.resolve("node.properties");
    Files.writeString(file, properties);
    NodeCommand command = new NodeCommand();
    String[] args = new String[flags.length + 2];
    args[0] = "--config";
    args[1] = file.toString();
    System.arraycopy(flags, 0, args, 2, flags.length);
    new CommandLine(command).parseArgs(args);
    return command.buildConfig();
  }

  @Test
  void theFileSetsTheLogAndTheFlagsWinOverIt() throws IOException {
    NodeConfig c =
        configFrom(
            "port=7171\nsegment.bytes=65536\nsegment.preallocate=false\nfsync.policy=interval\n"
                + "fsync.interval.ms=250\nretention.bytes=1048576\nstats.interval.ms=5000\n",
            "--port",
            "7272",
            "--data-dir",
            dir.resolve("data").toString());
    assertThat(c.port()).isEqualTo(7272);
    assertThat(c.dataDir()).isEqualTo(dir.resolve("data"));
    assertThat(c.logConfig().segmentBytes()).isEqualTo(65536);
    assertThat(c.logConfig().preallocate()).isFalse();
    assertThat(c.logConfig().fsyncPolicy()).isEqualTo(FsyncPolicy.INTERVAL);
    assertThat(c.logConfig().fsyncIntervalMs()).isEqualTo(250);
    assertThat(c.logConfig().retentionBytes()).isEqualTo(1048576);
    assertThat(c.statsIntervalMs()).isEqualTo(5000);
    assertThat(configFrom("").statsIntervalMs()).isEqualTo(60_000);
    assertThat(configFrom("stats.interval.ms=0\n").statsIntervalMs()).isZero();
  }

  @Test
  void theTransportIsAutoUnlessChosen() throws IOException {
    assertThat(configFrom("").transport()).isEqualTo(Transport.AUTO);
    assertThat(configFrom("io.transport = NIO\n").transport()).isEqualTo(Transport.NIO);
    assertThat(configFrom("io.transport=epoll\n").transport()).isEqualTo(Transport.EPOLL);
  }

  @Test
  void segmentFilesArePreparedUnlessSaidOtherwise() throws IOException {
    assertThat(configFrom("").logConfig().preallocate()).isTrue();
    assertThat(configFrom("segment.preallocate = TRUE\n").logConfig().preallocate()).isTrue();
  }

  private void assertRefused(String properties, String message) {
    assertThatThrownBy(() -> configFrom(properties))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void badValuesAreRefusedWithTheKeyInTheMessage() {
    assertRefused(
        "segment.preallocate=maybe\n", "segment.preallocate must be true or false, not 'maybe'");
    assertRefused("segment.bytes=1GiB\n", "segment.bytes must be a whole number");
    assertRefused("segment.bytes=100\n", "segment.bytes must be 4096..");
    assertRefused("fsync.policy=sometimes\n", "every-group, interval or never");
    assertRefused("stats.interval.ms=10\n", "stats.interval.ms must be 0 (off) or 1000..");
    assertRefused("io.transport=kqueue\n", "io.transport must be auto, nio or epoll, not 'kqueue'");
  }

  @Test
  void aBadSettingIsOneLineOnStderrAndExitStatus1() throws IOException {
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "segment.preallocate=maybe\n");
    StringWriter err = new StringWriter();
    int code =
        Ordo.commandLine()
            .setErr(new PrintWriter(err))
            .execute("node", "--config", file.toString(), "--port", "0");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString().strip())
        .isEqualTo("ordo node: segment.preallocate must be true or false, not 'maybe'");
  }
}
