package io.ordo.tools;

import io.ordo.protocol.OrdoException;
import java.io.IOException;
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
    return commandLine().execute(args);
  }

  /**
   * The command line as {@code bin/ordo} runs it. An error a user can cause (a bad setting, a
   * directory in use, an answer from the node) is printed as one line, {@code ordo <command>:
   * <message>}, with exit status 1; anything else keeps its stack trace.
   */
  public static CommandLine commandLine() {
    return new CommandLine(new Ordo())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(
            (e, cl, parsed) -> {
              if (e instanceof IllegalArgumentException
                  || e instanceof OrdoException
                  || e instanceof IOException) {
                cl.getErr().println(cl.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                cl.getErr().flush();
                return 1;
              }
              throw e;
            });
  }
}
