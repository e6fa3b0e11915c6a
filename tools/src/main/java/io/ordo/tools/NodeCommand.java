package io.ordo.tools;

import io.ordo.broker.server.Node;
import io.ordo.broker.server.NodeConfig;
import io.ordo.broker.storage.FsyncPolicy;
import io.ordo.protocol.wire.Transport;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ordo node}: runs one node until interrupted (Ctrl-C or SIGTERM stop it cleanly). */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = {
      "Runs an Ordo node in the foreground until Ctrl-C.",
      "",
      "Keys of a --config properties file (flags win over the file):",
      "  node.id, host, port, data.dir, fsync.policy (every-group|interval|never),",
      "  fsync.interval.ms, segment.bytes, segment.ms,",
      "  segment.preallocate (true|false), retention.bytes, retention.ms,",
      "  retention.check.interval.ms, stats.interval.ms (0 = off),",
      "  max.frame.bytes, max.batch.bytes, max.batches.per.request,",
      "  max.inflight.bytes.per.connection, ring.size, io.threads,",
      "  io.transport (auto|epoll|nio; auto = epoll where it loads)"
    })
public final class NodeCommand implements Callable<Integer> {
  @Option(names = "--data-dir", description = "Data directory (default: ./data/node-<id>).")
  Path dataDir;

  @Option(names = "--port", description = "Port to listen on (default: 7070; 0 picks a free one).")
  Integer port;

  @Option(names = "--host", description = "Address to listen on (default: 127.0.0.1).")
  String host;

  @Option(names = "--node-id", description = "Node id (default: 0).")
  Integer nodeId;

  @Option(
      names = "--fsync",
      description = "When to fsync: every-group (default; acks wait for it), interval, never.")
  String fsync;

  @Option(names = "--config", description = "A properties file with dotted keys.")
  Path configFile;

  @Override
  public Integer call() throws Exception {
    NodeConfig config = buildConfig();
    Node node = Node.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              try {
                node.close();
              } catch (IOException e) {
                System.err.println("ordo node: error while stopping: " + e.getMessage());
              } finally {
                stopped.countDown();
              }
            },
            "ordo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    System.out.printf(
        "Ordo node %d listening on %s:%d (data dir %s, fsync %s). Ctrl-C stops it.%n",
        config.nodeId(),
        node.address().getHostString(),
        node.address().getPort(),
        config.dataDir().toAbsolutePath(),
        config.fsyncPolicy().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    System.out.flush();
    stopped.await();
    return 0;
  }

  NodeConfig buildConfig() throws IOException {
    Properties p = new Properties();
    if (configFile != null) {
      try (Reader r = Files.newBufferedReader(configFile)) {
        p.load(r);
      }
    }
    NodeConfig.Builder b = NodeConfig.builder();
    int id = nodeId != null ? nodeId : intKey(p, "node.id", 0);
    b.nodeId(id);
    b.host(host != null ? host : p.getProperty("host", "127.0.0.1"));
    b.port(port != null ? port : intKey(p, "port", 7070));
    b.dataDir(dataDir != null ? dataDir : Path.of(p.getProperty("data.dir", "data/node-" + id)));
    String policy = fsync != null ? fsync : p.getProperty("fsync.policy", "every-group");
    b.fsyncPolicy(parsePolicy(policy));
    if (p.containsKey("fsync.interval.ms")) {
      b.fsyncIntervalMs(longKey(p, "fsync.interval.ms"));
    }
    if (p.containsKey("segment.bytes")) {
      b.segmentBytes(longKey(p, "segment.bytes"));
    }
    if (p.containsKey("segment.ms")) {
      b.segmentMs(longKey(p, "segment.ms"));
    }
    if (p.containsKey("segment.preallocate")) {
      b.segmentPreallocate(booleanKey(p, "segment.preallocate"));
    }
    if (p.containsKey("retention.bytes")) {
      b.retentionBytes(longKey(p, "retention.bytes"));
    }
    if (p.containsKey("retention.ms")) {
      b.retentionMs(longKey(p, "retention.ms"));
    }
    if (p.containsKey("retention.check.interval.ms")) {
      b.retentionCheckIntervalMs(longKey(p, "retention.check.interval.ms"));
    }
    if (p.containsKey("stats.interval.ms")) {
      b.statsIntervalMs(longKey(p, "stats.interval.ms"));
    }
    if (p.containsKey("max.frame.bytes")) {
      b.maxFrameBytes(intKey(p, "max.frame.bytes", 0));
    }
    if (p.containsKey("max.batch.bytes")) {
      b.maxBatchBytes(intKey(p, "max.batch.bytes", 0));
    }
    if (p.containsKey("max.batches.per.request")) {
      b.maxBatchesPerRequest(intKey(p, "max.batches.per.request", 0));
    }
    if (p.containsKey("max.inflight.bytes.per.connection")) {
      b.maxInFlightBytesPerConnection(longKey(p, "max.inflight.bytes.per.connection"));
    }
    if (p.containsKey("ring.size")) {
      b.ringSize(intKey(p, "ring.size", 0));
    }
    if (p.containsKey("io.threads")) {
      b.ioThreads(intKey(p, "io.threads", 0));
    }
    if (p.containsKey("io.transport")) {
      b.transport(Transport.parse("io.transport", p.getProperty("io.transport")));
    }
    return b.build();
  }

  static FsyncPolicy parsePolicy(String s) {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "every-group":
        return FsyncPolicy.EVERY_GROUP;
      case "interval":
        return FsyncPolicy.INTERVAL;
      case "never":
        return FsyncPolicy.NEVER;
      default:
        throw new IllegalArgumentException(
            "fsync policy must be every-group, interval or never, not '" + s + "'");
    }
  }

  private static int intKey(Properties p, String key, int dflt) {
    String v = p.getProperty(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, not '" + v + "'");
    }
  }

  private static long longKey(Properties p, String key) {
    String v = p.getProperty(key);
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, not '" + v + "'");
    }
  }

  private static boolean booleanKey(Properties p, String key) {
    String v = p.getProperty(key).trim().toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(
          key + " must be true or false, not '" + p.getProperty(key) + "'");
    }
    return v.equals("true");
  }
}
