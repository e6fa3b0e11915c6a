package io.ordo.tools;

import io.ordo.producer.Producer;
import io.ordo.producer.RecordMetadata;
import io.ordo.protocol.batch.Header;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ordo produce}: each line of stdin becomes one record's value. Exits 0 only after every
 * record is acknowledged (durable on the node).
 */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    description = {
      "Sends each line of standard input as one record and waits for every acknowledgement.",
      "Exit status 0 means every line was stored; 1 means some were not (reasons on stderr)."
    })
public final class ProduceCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--stream", required = true, description = "Stream to append to.")
  String stream;

  @Option(
      names = "--parse-key",
      description = "Split each line at the key separator into key and value.")
  boolean parseKey;

  @Option(
      names = "--key-separator",
      description = "Separator between key and value with --parse-key (default: TAB).",
      defaultValue = "\t")
  String keySeparator;

  @Option(
      names = "--header",
      description = "A header KEY=VALUE added to every record (repeatable).")
  List<String> headers = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Header[] hs = parseHeaders(headers);
    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    long sent = 0;
    Progress progress = Progress.onTerminal("produce");
    try (Producer producer = client.producerBuilder().build();
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      CompletableFuture<RecordMetadata> last = null;
      while ((line = in.readLine()) != null) {
        byte[] key = null;
        String value = line;
        if (parseKey) {
          int at = line.indexOf(keySeparator);
          if (at >= 0) {
            key = line.substring(0, at).getBytes(StandardCharsets.UTF_8);
            value = line.substring(at + keySeparator.length());
          }
        }
        last =
            producer
                .send(stream, key, value.getBytes(StandardCharsets.UTF_8), hs)
                .whenComplete(
                    (m, e) -> {
                      if (e == null) {
                        acked.incrementAndGet();
                      } else {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, e);
                      }
                    });
        sent++;
        progress.update(sent, acked.get());
      }
      producer.flush();
      if (last != null) {
        try {
          last.get();
        } catch (ExecutionException e) {
          // counted in failed
        }
      }
    }
    progress.done(sent, acked.get());
    if (failed.get() > 0 || acked.get() != sent) {
      Throwable e = firstError.get();
      spec.commandLine()
          .getErr()
          .printf(
              "ordo produce: %d of %d records were not stored%s%n",
              sent - acked.get(), sent, e == null ? "" : ": " + rootMessage(e));
      return 1;
    }
    return 0;
  }

  static Header[] parseHeaders(List<String> specs) {
    Header[] hs = new Header[specs.size()];
    for (int i = 0; i < hs.length; i++) {
      String s = specs.get(i);
      int eq = s.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--header must be KEY=VALUE, not '" + s + "'");
      }
      hs[i] = new Header(s.substring(0, eq), s.substring(eq + 1).getBytes(StandardCharsets.UTF_8));
    }
    return hs;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
