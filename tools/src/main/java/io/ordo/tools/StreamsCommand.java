package io.ordo.tools;

import io.ordo.consumer.Admin;
import io.ordo.protocol.wire.ReadMessages;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ordo streams}: the streams a node holds, with record counts and last versions. */
@Command(
    name = "streams",
    mixinStandardHelpOptions = true,
    description = "Lists the streams of a node with their record counts and last versions.")
public final class StreamsCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--bootstrap-server", required = true, description = "host:port of a node.")
  String bootstrapServer;

  @Option(names = "--prefix", description = "Only streams whose name starts so.", defaultValue = "")
  String prefix;

  @Option(names = "--include-internal", description = "Also list control streams ($...).")
  boolean internal;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (Admin admin = Admin.connect(bootstrapServer)) {
      ReadMessages.StreamList l = admin.listStreams(prefix);
      out.printf("%-32s %12s %14s %16s%n", "STREAM", "RECORDS", "LAST-VERSION", "LAST-BATCH");
      for (ReadMessages.StreamInfo s : l.streams()) {
        if (!internal && s.name().startsWith("$")) {
          continue;
        }
        out.printf(
            "%-32s %12d %14d %16d%n",
            s.name(), s.records(), s.nextVersion() - 1, s.lastBatchOffset());
      }
      out.printf("log offsets %d..%d%n", l.logStartOffset(), l.logEndOffset());
    }
    out.flush();
    return 0;
  }
}
