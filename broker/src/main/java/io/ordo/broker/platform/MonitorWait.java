package io.ordo.broker.platform;

import java.util.function.BooleanSupplier;

/**
 * Waiting on an object's monitor for a condition that another thread makes true, without letting an
 * interrupt end the wait early: for waits whose end the caller's correctness depends on (a file
 * must not be touched while another thread still writes it).
 */
public final class MonitorWait {
  private MonitorWait() {}

  /**
   * Waits on {@code monitor}, which the caller holds, until {@code done} is true; the thread that
   * makes it true calls {@code notifyAll()}. An interrupt does not end the wait and stays set.
   */
  public static void awaitUninterruptibly(Object monitor, BooleanSupplier done) {
    boolean interrupted = false;
    while (!done.getAsBoolean()) {
      try {
        monitor.wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
