package io.ordo.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ordo} command: run a node, produce, inspect a data dir, measure. */
@Command(
    name = "ordo",
    mixinStandardHelpOptions = true,
    versionProvider = OrdoVersion.class,
    description = "Ordo: a leader-sequenced, totally ordered event log.",
    subcommands = {
      NodeCommand.class,
      ProduceCommand.class,
      ConsumeCommand.class,
      StreamsCommand.class,
      GroupsCommand.class,
      LogCommand.class,
      PerfCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Ordo implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int run(String... args) {
    return new CommandLine(new Ordo()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
  }
}
