package io.ordo.it;

import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline (polling; no fixed sleeps in tests). */
final class Await {
  private Await() {}

  static void until(String what, long timeoutMs, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
      }
      Thread.onSpinWait();
      Thread.sleep(5);
    }
  }
}
