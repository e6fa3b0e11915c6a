package io.ordo.producer;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;

/**
 * Creates and remembers every thread of one producer, named {@code ordo-producer-<n>-<role>}, so
 * that close() can wait until each has really ended. The threads are daemons: a producer that is
 * never closed does not keep the JVM alive (its unsent records are lost then).
 *
 * <p>Thread-safe.
 */
final class ProducerThreads {
  /** Prefix of every producer thread's name. */
  static final String NAME_PREFIX = "ordo-producer-";

  private final String prefix;
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  ProducerThreads(int instance) {
    this.prefix = NAME_PREFIX + instance + "-";
  }

  /** A thread named for {@code role}, not started. */
  Thread newThread(String role, Runnable body) {
    Thread t = new FastThreadLocalThread(body, prefix + role);
    t.setDaemon(true);
    threads.add(t);
    return t;
  }

  /** A factory for threads that all get the name of {@code role}. */
  ThreadFactory factory(String role) {
    return body -> newThread(role, body);
  }

  /**
   * Waits up to {@code timeoutMs} in total for every thread but the caller to end.
   *
   * @return true when all have ended
   */
  boolean join(long timeoutMs) throws InterruptedException {
    long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
    for (Thread t : threads) {
      if (t == Thread.currentThread()) {
        continue;
      }
      long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
      if (leftMs > 0) {
        t.join(leftMs);
      }
      if (t.isAlive()) {
        return false;
      }
    }
    return true;
  }

  boolean isProducerThread(Thread t) {
    return threads.contains(t);
  }
}
