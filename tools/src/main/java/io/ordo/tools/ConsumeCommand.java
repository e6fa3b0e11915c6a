package io.ordo.tools;

import io.ordo.consumer.CommitPolicy;
import io.ordo.consumer.Consumer;
import io.ordo.consumer.ConsumerListener;
import io.ordo.consumer.ConsumerRecord;
import io.ordo.consumer.OffsetReset;
import io.ordo.consumer.StartPosition;
import io.ordo.consumer.StreamSelector;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.Header;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ordo consume}: prints each record's value on its own line, in log order. With a group it
 * resumes after the group's committed offset and commits what it printed before exiting.
 */
@Command(
    name = "consume",
    mixinStandardHelpOptions = true,
    description = {
      "Prints each record's value on its own line, in log order.",
      "With --group it starts right after the group's last committed record and commits what it"
          + " printed."
    })
public final class ConsumeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--bootstrap-server", required = true, description = "host:port of a node.")
  String bootstrapServer;

  @Option(names = "--stream", description = "Stream to read.")
  String stream;

  @Option(names = "--stream-prefix", description = "Read every stream whose name starts so.")
  String prefix;

  @Option(names = "--group", description = "Consumer group (commits its offset).")
  String group;

  static final class Start {
    @Option(names = "--from-beginning", description = "Start at the earliest record kept.")
    boolean fromBeginning;

    @Option(names = "--offset", description = "Start at this log offset.")
    Long offset;

    @Option(
        names = "--timestamp",
        description =
            "Start at the first record appended at or after this time (ms since the epoch).")
    Long timestamp;
  }

  @ArgGroup(exclusive = true)
  Start start;

  @Option(
      names = "--offset-reset",
      description =
          "When the position to resume from (the group's committed offset, --offset) has been"
              + " deleted by retention: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}, stop"
              + " with OFFSET_OUT_OF_RANGE; earliest and latest skip the gap, with a warning).",
      defaultValue = "NONE")
  OffsetReset offsetReset;

  @Option(names = "--max-records", description = "Exit after this many records.")
  Long maxRecords;

  @Option(
      names = "--timeout-ms",
      description = "Exit when no record arrives for this long (default: wait forever).")
  Long timeoutMs;

  @Option(names = "--print-offset", description = "Prefix each line with the record's offset.")
  boolean printOffset;

  @Option(names = "--print-key", description = "Print the key before the value.")
  boolean printKey;

  @Option(names = "--print-headers", description = "Print the headers before the value.")
  boolean printHeaders;

  @Option(names = "--print-timestamp", description = "Print the create time before the value.")
  boolean printTimestamp;

  @Option(
      names = "--separator",
      description = "Between printed fields (default: TAB).",
      defaultValue = "\t")
  String separator;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    StreamSelector selector =
        stream != null
            ? StreamSelector.stream(stream)
            : prefix != null ? StreamSelector.prefix(prefix) : StreamSelector.all();
    StartPosition from = StartPosition.latest();
    if (group != null) {
      from = StartPosition.earliest();
    }
    if (start != null) {
      if (start.fromBeginning) {
        from = StartPosition.earliest();
      } else if (start.offset != null) {
        from = StartPosition.offset(start.offset);
      } else if (start.timestamp != null) {
        from = StartPosition.timestamp(start.timestamp);
      }
    }
    long max = maxRecords == null ? Long.MAX_VALUE : maxRecords;
    AtomicLong printed = new AtomicLong();
    AtomicLong lastRecordNs = new AtomicLong(System.nanoTime());
    CountDownLatch reached = new CountDownLatch(1);
    AtomicReference<CompletableFuture<Void>> finalCommit = new AtomicReference<>();
    AtomicReference<OrdoException> error = new AtomicReference<>();
    Consumer.Builder b =
        Consumer.builder()
            .bootstrapServers(bootstrapServer)
            .commitPolicy(CommitPolicy.MANUAL)
            .offsetReset(offsetReset);
    if (group != null) {
      b.group(group);
    }
    try (Consumer consumer = b.build()) {
      consumer.subscribe(
          selector,
          from,
          r -> {
            if (printed.get() >= max) {
              return; // past the last record wanted: neither printed nor committed
            }
            out.println(format(r));
            lastRecordNs.set(System.nanoTime());
            if (printed.incrementAndGet() >= max) {
              out.flush();
              if (group != null) {
                finalCommit.set(consumer.commit(r.offset() + 1));
              }
              reached.countDown();
            }
          },
          new ConsumerListener() {
            @Override
            public void onError(OrdoException e) {
              error.set(e);
              reached.countDown();
            }
          });
      while (!reached.await(50, TimeUnit.MILLISECONDS)) {
        out.flush();
        if (timeoutMs != null
            && System.nanoTime() - lastRecordNs.get() > TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
          break;
        }
      }
      out.flush();
      if (finalCommit.get() != null) {
        finalCommit.get().get(30, TimeUnit.SECONDS);
      } else if (group != null && error.get() == null && consumer.generation() > 0) {
        consumer.commit().get(30, TimeUnit.SECONDS); // stopped by --timeout-ms
      }
      consumer.closeAbruptly();
    }
    if (error.get() != null) {
      err.println("ordo consume: " + error.get().getMessage());
      return 1;
    }
    return 0;
  }

  private String format(ConsumerRecord r) {
    StringBuilder sb = new StringBuilder();
    if (printOffset) {
      sb.append(r.offset()).append(separator);
    }
    if (printTimestamp) {
      sb.append(r.timestampMs()).append(separator);
    }
    if (printKey) {
      sb.append(r.key() == null ? "null" : new String(r.key(), StandardCharsets.UTF_8));
      sb.append(separator);
    }
    if (printHeaders) {
      StringBuilder h = new StringBuilder();
      for (Header x : r.headers()) {
        if (h.length() > 0) {
          h.append(',');
        }
        h.append(x.key()).append('=');
        h.append(x.value() == null ? "null" : new String(x.value(), StandardCharsets.UTF_8));
      }
      sb.append(h.length() == 0 ? "NO_HEADERS" : h).append(separator);
    }
    sb.append(r.value() == null ? "null" : new String(r.value(), StandardCharsets.UTF_8));
    return sb.toString();
  }
}
