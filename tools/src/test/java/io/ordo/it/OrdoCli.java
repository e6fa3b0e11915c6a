package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.tools.Ordo;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs an {@code ordo} command in this JVM, as the launcher would, and captures its output. */
final class OrdoCli {
  private OrdoCli() {}

  /** What a command run in this JVM printed, and its exit status. */
  record Result(int code, String out, String err) {}

  /** Runs the command, requires exit status 0, and returns what it printed on stdout. */
  static String run(String... args) {
    Result r = execute(args);
    assertThat(r.code())
        .as("exit code of %s; stderr: %s", String.join(" ", args), r.err())
        .isZero();
    return r.out();
  }

  /** Runs the command with whatever exit status it has. */
  static Result execute(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Ordo.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
