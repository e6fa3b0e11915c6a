package io.ordo.broker.storage;

import io.ordo.broker.platform.MonitorWait;
import io.ordo.broker.platform.ThreadEnd;
import java.io.IOException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the log's recovery checkpoints, and the index files of segments sealed by a roll, on a
 * thread of its own, so that the writer thread (the sequencer) does not wait for them. A periodic
 * checkpoint writes the active segment's index files and the checkpoint file, each forced, and
 * renames the checkpoint into place: four or five journal commits, 4-14 ms on the disk Ordo is
 * measured on, during which appends would otherwise queue; a roll's sealed index files cost as much
 * again.
 *
 * <p>Jobs run one at a time in the order submitted. A replaceable job (a periodic checkpoint) that
 * has not started is replaced by the next job submitted as replaceable, as a later checkpoint says
 * all an earlier one would; other jobs (a roll's) always run. Jobs only ever describe data that was
 * durable when they were made, so a checkpoint that lands late, or never (a crash), leaves an older
 * checkpoint that is still true, and index files never written are rebuilt by recovery. Every
 * checkpoint of an open log goes through here (jobs other than periodic ones are not replaceable);
 * the writer waits ({@link #awaitIdle}) where it needs one on disk before going on (truncation,
 * close). What must not happen is a job racing the writer over the same files: the writer also
 * waits before it seals index files, cuts the log or deletes segments (roll, truncation, retention,
 * close), and only the writer submits jobs, so none starts until the writer submits again.
 *
 * <p>A job that fails is reported to the writer by the next {@link #awaitIdle} or {@link
 * #throwIfFailed}: the log then fails, as it did when the writer wrote the checkpoint itself.
 *
 * <p>Threading: the log's writer thread calls every method; the checkpointer thread runs the jobs.
 */
final class RecoveryCheckpointer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RecoveryCheckpointer.class);
  private static final long CLOSE_WAIT_MS = 10_000;

  /** A checkpoint to write. */
  @FunctionalInterface
  interface Job {
    void write() throws IOException;
  }

  private record Queued(Job job, boolean replaceable) {}

  private final Thread thread;
  private final ArrayDeque<Queued> waiting = new ArrayDeque<>();
  private boolean running;
  private boolean closed;
  private Throwable failure;

  RecoveryCheckpointer(String name) {
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues {@code job}; when it is {@code replaceable}, it takes the place of a replaceable job
   * still waiting at the end of the queue.
   */
  synchronized void submit(Job job, boolean replaceable) {
    if (closed) {
      throw new IllegalStateException("the recovery checkpointer is closed");
    }
    Queued last = waiting.peekLast();
    if (replaceable && last != null && last.replaceable()) {
      waiting.pollLast();
    }
    waiting.addLast(new Queued(job, replaceable));
    notifyAll();
  }

  /**
   * Returns once no job runs or waits.
   *
   * @throws IOException when a job failed (since the last report of a failure)
   */
  synchronized void awaitIdle() throws IOException {
    awaitQuiet();
    throwIfFailed();
  }

  /** Returns once no job runs or waits; a failure stays to be reported. */
  synchronized void awaitQuiet() {
    MonitorWait.awaitUninterruptibly(this, () -> waiting.isEmpty() && !running);
  }

  /** Throws the failure of a job that failed since the last report, if any. */
  synchronized void throwIfFailed() throws IOException {
    Throwable e = failure;
    if (e != null) {
      failure = null;
      throw new IOException("writing a recovery checkpoint failed: " + e.getMessage(), e);
    }
  }

  private void run() {
    while (true) {
      Job job;
      synchronized (this) {
        while (!closed && waiting.isEmpty()) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        job = waiting.pollFirst().job();
        running = true;
      }
      Throwable error = null;
      try {
        job.write();
      } catch (IOException | RuntimeException | Error e) {
        error = e; // reported to the writer; the thread goes on, so waiting never hangs
      }
      synchronized (this) {
        running = false;
        if (error != null && failure == null) {
          failure = error;
        }
        notifyAll();
      }
    }
  }

  /**
   * Stops the thread after the job that is running, if any; waiting jobs are dropped (as a crash
   * would drop them). Call {@link #awaitIdle} first to have them run.
   */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      waiting.clear();
      notifyAll();
    }
    if (!ThreadEnd.awaitEnd(thread, CLOSE_WAIT_MS)) {
      LOG.warn("{} still writing a checkpoint after {} ms", thread.getName(), CLOSE_WAIT_MS);
    }
  }
}
