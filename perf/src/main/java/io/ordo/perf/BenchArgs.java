package io.ordo.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --flag value} options of a benchmark's {@code main}: every flag must be one the
 * benchmark knows (else its usage line is printed and the JVM exits with status 2) and must have a
 * value. Immutable once parsed.
 */
public final class BenchArgs {
  private final Map<String, String> values;

  private BenchArgs(Map<String, String> values) {
    this.values = values;
  }

  /**
   * Parses {@code args}; an unknown flag prints {@code usage} to stderr and exits with status 2.
   *
   * @throws IllegalArgumentException for a flag without a value
   */
  public static BenchArgs parse(String[] args, String usage, String... flags) {
    Set<String> known = Set.of(flags);
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!known.contains(args[i])) {
        System.err.println("usage: " + usage);
        System.exit(2);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      values.put(args[i], args[i + 1]);
    }
    return new BenchArgs(values);
  }

  /** The flag's value, or null when it was not given. */
  public String string(String flag) {
    return values.get(flag);
  }

  /** The flag's value, or {@code otherwise} when it was not given. */
  public String string(String flag, String otherwise) {
    String v = values.get(flag);
    return v == null ? otherwise : v;
  }

  /**
   * The directory a required flag names, created if need be; without the flag, prints {@code usage}
   * to stderr and exits with status 2.
   */
  public Path directory(String flag, String usage) throws IOException {
    String v = values.get(flag);
    if (v == null) {
      System.err.println("usage: " + usage);
      System.exit(2);
    }
    return Files.createDirectories(Path.of(v));
  }

  /** A comma-separated list of whole numbers, or {@code otherwise} when the flag was not given. */
  public int[] intList(String flag, String otherwise) {
    String[] parts = string(flag, otherwise).split(",");
    int[] values = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      values[i] = Integer.parseInt(parts[i].trim());
    }
    return values;
  }

  public int intValue(String flag, int otherwise) {
    String v = values.get(flag);
    return v == null ? otherwise : Integer.parseInt(v);
  }

  public long longValue(String flag, long otherwise) {
    String v = values.get(flag);
    return v == null ? otherwise : Long.parseLong(v);
  }
}
