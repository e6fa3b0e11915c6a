package io.ordo.tools;

import picocli.CommandLine.Command;

/** {@code ordo perf}: end-to-end measurements against a running node. */
@Command(
    name = "perf",
    mixinStandardHelpOptions = true,
    description = "Measures throughput and latency against a running node.",
    subcommands = {PerfProduceCommand.class, PerfE2eCommand.class})
public final class PerfCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
