package io.ordo.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Seeds, condition waits and thread checks shared by the producer tests. */
final class TestSupport {
  private TestSupport() {}

  /** The seed from {@code -Dordo.seed}, else a fresh one; printed so a failure can be replayed. */
  static long seed(Class<?> testClass) {
    String fixed = System.getProperty("ordo.seed");
    long seed = fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
    System.out.println(
        testClass.getSimpleName() + " seed: " + seed + " (replay with -Dordo.seed=" + seed + ")");
    return seed;
  }

  /** Waits until {@code condition} holds, failing after {@code timeout}. */
  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting until " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  /** Producer threads still alive (every test closes its producers, so none should be). */
  static List<String> liveProducerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith(ProducerThreads.NAME_PREFIX))
        .toList();
  }

  static void assertNoProducerThreads() {
    assertThat(liveProducerThreads()).as("producer threads alive after close").isEmpty();
  }
}
