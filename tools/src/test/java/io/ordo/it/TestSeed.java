package io.ordo.it;

import java.util.Random;

/** The seed of a randomized test: -Dordo.seed=N replays a run; the seed is always printed. */
final class TestSeed {
  private TestSeed() {}

  static Random random(Class<?> test) {
    long seed = Long.getLong("ordo.seed", new Random().nextLong());
    System.out.println(
        test.getSimpleName() + " seed " + seed + " (replay with -Dordo.seed=" + seed + ")");
    return new Random(seed);
  }
}
