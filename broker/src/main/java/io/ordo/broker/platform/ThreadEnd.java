package io.ordo.broker.platform;

/**
 * Waiting, for a bounded time, for a node's own thread to end when the node stops it: a thread
 * stuck on the disk must not hang the stop for ever.
 *
 * <p>Thread safety: stateless; any thread may call it.
 */
public final class ThreadEnd {
  private ThreadEnd() {}

  /**
   * Waits up to {@code timeoutMs} for {@code thread} to end. An interrupt ends the wait early and
   * stays set for the caller.
   *
   * @return whether the thread has ended
   */
  public static boolean awaitEnd(Thread thread, long timeoutMs) {
    try {
      thread.join(timeoutMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }
}
