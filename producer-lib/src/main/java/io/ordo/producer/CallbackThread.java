package io.ordo.producer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that completes the futures of sent records, so that code the application chained on
 * them ({@code thenAccept}, {@code whenComplete} without {@code Async}) runs here and never on the
 * I/O thread: a slow or blocking callback delays other callbacks, never the network. Tasks run in
 * the order they were submitted, so a flush completes after the records it waited for. Parks when
 * idle.
 *
 * <p>Thread-safe: any thread may submit (in practice the I/O thread and the closer).
 */
final class CallbackThread {
  private static final Logger LOG = LoggerFactory.getLogger(CallbackThread.class);
  private static final long IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);

  private final MpscUnboundedXaddArrayQueue<Runnable> tasks =
      new MpscUnboundedXaddArrayQueue<>(1024);
  private final Thread thread;
  private volatile boolean parked;
  private volatile boolean stopping;

  CallbackThread(ProducerThreads threads) {
    this.thread = threads.newThread("callbacks", this::run);
  }

  void start() {
    thread.start();
  }

  Thread thread() {
    return thread;
  }

  void submit(Runnable task) {
    tasks.offer(task);
    if (parked) {
      LockSupport.unpark(thread);
    }
  }

  /** Lets the thread end once every task submitted before this call has run. */
  void stop() {
    stopping = true;
    LockSupport.unpark(thread);
  }

  private void run() {
    while (true) {
      Runnable task = tasks.poll();
      if (task != null) {
        try {
          task.run();
        } catch (Throwable t) {
          LOG.error("a producer callback task failed", t);
        }
        continue;
      }
      if (stopping) {
        if (tasks.isEmpty()) {
          return;
        }
        continue;
      }
      parked = true;
      if (tasks.isEmpty() && !stopping) {
        LockSupport.parkNanos(this, IDLE_PARK_NS);
      }
      parked = false;
    }
  }
}
