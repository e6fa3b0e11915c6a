package io.ordo.tools;

import picocli.CommandLine.Command;

/** {@code ordo log}: look inside a data dir. */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    description = "Inspects a node's data directory (read-only; safe while stopped).",
    subcommands = {LogDumpCommand.class})
public final class LogCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
