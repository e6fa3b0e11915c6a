package io.ordo.producer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the bytes of records that were accepted by {@code send} and not yet acknowledged or
 * failed, against a fixed limit. Acquiring is a compare-and-set when there is room; only a sender
 * that has to wait takes a lock, and releasing touches the lock only when someone waits.
 *
 * <p>Thread-safe: application threads acquire, the I/O thread releases.
 */
final class BufferMemory {
  private final long limitBytes;
  private final AtomicLong usedBytes = new AtomicLong();
  private final AtomicInteger waiters = new AtomicInteger();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition freed = lock.newCondition();
  private volatile boolean closed;

  BufferMemory(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  long usedBytes() {
    return usedBytes.get();
  }

  /**
   * Takes {@code bytes} of memory, waiting for at most {@code maxBlockNs} if {@code block}.
   *
   * @throws BufferFullException when the memory cannot be had in time (or at once when not
   *     blocking), or the wait was interrupted
   * @throws IllegalStateException when the producer closes while waiting
   */
  void acquire(long bytes, boolean block, long maxBlockNs) {
    if (tryAcquire(bytes)) {
      return;
    }
    if (!block || maxBlockNs <= 0) {
      throw full(bytes);
    }
    long deadlineNs = System.nanoTime() + maxBlockNs;
    lock.lock();
    waiters.incrementAndGet();
    try {
      while (!tryAcquire(bytes)) {
        if (closed) {
          throw new IllegalStateException("the producer was closed while send() waited for memory");
        }
        long leftNs = deadlineNs - System.nanoTime();
        if (leftNs <= 0) {
          throw full(bytes);
        }
        try {
          freed.awaitNanos(leftNs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new BufferFullException("interrupted while waiting for buffer memory");
        }
      }
    } finally {
      waiters.decrementAndGet();
      lock.unlock();
    }
  }

  private boolean tryAcquire(long bytes) {
    while (true) {
      long used = usedBytes.get();
      if (used + bytes > limitBytes) {
        return false;
      }
      if (usedBytes.compareAndSet(used, used + bytes)) {
        return true;
      }
    }
  }

  void release(long bytes) {
    if (bytes == 0) {
      return;
    }
    usedBytes.addAndGet(-bytes);
    if (waiters.get() > 0) {
      signalAll();
    }
  }

  /** Wakes every waiting sender with an {@link IllegalStateException}. */
  void close() {
    closed = true;
    signalAll();
  }

  private void signalAll() {
    lock.lock();
    try {
      freed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private BufferFullException full(long bytes) {
    return new BufferFullException(
        "a record of "
            + bytes
            + " bytes does not fit: "
            + usedBytes.get()
            + " of "
            + limitBytes
            + " bytes of buffer memory are held by unacknowledged records");
  }

  /** Senders blocked in {@link #acquire} right now. */
  int waiterCount() {
    return waiters.get();
  }
}
