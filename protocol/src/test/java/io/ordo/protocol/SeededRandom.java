package io.ordo.protocol;

import java.util.Random;

/**
 * The random source of a randomized test: seeded from the system property {@code ordo.seed} when
 * set, else from a fresh random seed, and always printed so that a failure can be replayed with
 * {@code -Dordo.seed=N}. One instance per test method; not thread-safe.
 */
public final class SeededRandom {
  private SeededRandom() {}

  /** The seed for {@code test}: {@code ordo.seed} if set, else a new one; printed either way. */
  public static long seed(String test) {
    String fixed = System.getProperty("ordo.seed");
    long seed = fixed == null || fixed.isBlank() ? new Random().nextLong() : Long.parseLong(fixed);
    System.out.println(test + " seed: " + seed + " (replay with -Dordo.seed=" + seed + ")");
    return seed;
  }

  /** A {@link Random} seeded by {@link #seed}. */
  public static Random create(String test) {
    return new Random(seed(test));
  }
}
