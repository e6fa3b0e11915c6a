package io.ordo.tools;

import io.ordo.consumer.Admin;
import io.ordo.protocol.wire.ReadMessages;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ordo groups}: lists consumer groups, or with {@code --describe} their members, committed
 * offsets and lag: the committed records the subscription has yet to receive (its own stream or
 * streams only, counted by the node; not the distance to the log end, which counts every stream).
 */
@Command(
    name = "groups",
    mixinStandardHelpOptions = true,
    description = "Lists consumer groups; --describe shows members, committed offsets and lag.")
public final class GroupsCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--bootstrap-server", required = true, description = "host:port of a node.")
  String bootstrapServer;

  @Option(names = "--describe", description = "Show each group's subscriptions in detail.")
  boolean describe;

  @Option(names = "--group", description = "Only this group.", defaultValue = "")
  String group;

  /** The node's count of records still to come; a trailing + when it is a lower bound. */
  private static String lag(ReadMessages.GroupInfo g) {
    if (g.lag() < 0) {
      return "-";
    }
    return g.lagExact() ? Long.toString(g.lag()) : g.lag() + "+";
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (Admin admin = Admin.connect(bootstrapServer)) {
      ReadMessages.GroupList l = admin.describeGroups(group);
      if (!describe) {
        Set<String> names = new LinkedHashSet<>();
        for (ReadMessages.GroupInfo g : l.groups()) {
          names.add(g.group());
        }
        names.forEach(out::println);
      } else {
        out.printf(
            "%-20s %-24s %10s %16s %14s %10s %-20s %8s%n",
            "GROUP",
            "SUBSCRIPTION",
            "GENERATION",
            "CURRENT-OFFSET",
            "LOG-END-OFFSET",
            "LAG",
            "ACTIVE-MEMBER",
            "STANDBYS");
        for (ReadMessages.GroupInfo g : l.groups()) {
          long committed = g.committedOffset();
          out.printf(
              "%-20s %-24s %10d %16s %14d %10s %-20s %8d%n",
              g.group(),
              g.subscription(),
              g.generation(),
              committed < 0 ? "-" : Long.toString(committed),
              l.logEndOffset(),
              lag(g),
              g.activeMember().isEmpty() ? "-" : g.activeMember(),
              g.standbys());
        }
      }
    }
    out.flush();
    return 0;
  }
}
