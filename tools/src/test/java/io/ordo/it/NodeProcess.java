package io.ordo.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A node in a child JVM ({@code ordo node}), so that a test can kill it with SIGKILL. The child
 * runs from this JVM's class path; its output is echoed with a prefix.
 */
final class NodeProcess implements AutoCloseable {
  /**
   * The JVM flags the node needs (Chronicle Map's --add-opens/--add-exports, analytics off), taken
   * from this test JVM, which got them from the root pom's {@code ordo.jvm.flags}: one list to
   * keep, not a copy here.
   */
  static final List<String> JVM_FLAGS =
      ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
          .filter(
              a ->
                  a.startsWith("--add-")
                      || a.startsWith("-Dchronicle.")
                      || a.startsWith("-Dbackground.releaser"))
          .toList();

  private final Process process;
  private final CountDownLatch listening = new CountDownLatch(1);
  private final Thread reader;

  private NodeProcess(Path dataDir, int port) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx512m");
    cmd.addAll(JVM_FLAGS);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.ordo.tools.Ordo");
    cmd.add("node");
    cmd.add("--data-dir");
    cmd.add(dataDir.toString());
    cmd.add("--port");
    cmd.add(Integer.toString(port));
    process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (line.contains("listening on")) {
                    listening.countDown();
                  }
                  if (line.contains("ERROR") || line.contains("WARN") || line.startsWith("Ordo")) {
                    System.out.println("[node] " + line);
                  }
                }
              } catch (IOException e) {
                // process gone
              }
            },
            "node-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts a node and waits until it listens. */
  static NodeProcess start(Path dataDir, int port) throws IOException, InterruptedException {
    NodeProcess n = new NodeProcess(dataDir, port);
    if (!n.listening.await(60, TimeUnit.SECONDS)) {
      n.kill();
      throw new IllegalStateException("node did not start within 60 s");
    }
    return n;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** SIGKILL: no shutdown hook, no flush. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    reader.join(5_000);
  }

  /** SIGTERM: the node's shutdown hook closes it cleanly. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(30, TimeUnit.SECONDS);
        }
      }
      reader.join(5_000);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
