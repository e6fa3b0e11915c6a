package io.ordo.broker.state;

import io.ordo.broker.platform.BackgroundPriority;
import io.ordo.broker.platform.ThreadEnd;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint thread: owns the {@link StateStore} once the node runs, and writes the checkpoints
 * handed to it one at a time, so that Chronicle Map writes and fsyncs never hold up the sequencer.
 * At most one checkpoint is in flight: while it is, {@link #offer} refuses the next and the caller
 * keeps accumulating changes. A checkpoint that fails leaves the store needing a full one, which
 * {@link #wantsFull} reports until a full one is offered. The thread runs at the lowest CPU
 * priority ({@link BackgroundPriority}).
 *
 * <p>Threading: the methods are called by one thread at a time, the one that owns the state (the
 * sequencer, then the thread stopping the node); the store is used only on the checkpoint thread,
 * which {@link #close} ends after closing the store there.
 */
final class CheckpointWriter {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);
  static final String THREAD_NAME = "ordo-state-checkpoint";
  private static final long STOP_WAIT_MS = 120_000;

  /** Writes one checkpoint: the store's {@link StateStore#save(StateChanges)}. */
  @FunctionalInterface
  interface Saver {
    boolean save(StateChanges changes);
  }

  private final Saver saver;
  private final Runnable closeStore;
  private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
  private final Thread thread;
  private FutureTask<Void> inFlight;
  private volatile boolean wantsFull;
  private volatile long savedOffset;
  private boolean closed;

  /**
   * Starts the checkpoint thread, which waits for work.
   *
   * @param savedOffset the offset of the checkpoint the store holds (-1 if none)
   * @param wantsFull whether the store needs a full checkpoint next
   */
  CheckpointWriter(StateStore store, Saver saver, long savedOffset, boolean wantsFull) {
    this.saver = saver;
    this.closeStore = store::close;
    this.savedOffset = savedOffset;
    this.wantsFull = wantsFull;
    // a late checkpoint only lengthens a replay
    this.thread = BackgroundPriority.startThread(THREAD_NAME, this::run);
  }

  /** The checkpoint thread: runs what it is handed until it has closed the store. */
  private void run() {
    while (true) {
      Runnable task;
      try {
        task = tasks.take();
      } catch (InterruptedException e) {
        continue; // nothing interrupts it; only the close task ends it
      }
      task.run();
      if (task == closeStore) {
        return;
      }
    }
  }

  /** A checkpoint is being written. */
  boolean busy() {
    return inFlight != null && !inFlight.isDone();
  }

  /** The next checkpoint must hold every entry (the last one failed, or none was written yet). */
  boolean wantsFull() {
    return wantsFull;
  }

  /**
   * The offset of the last checkpoint written, or of the one the store held at start (-1: none).
   */
  long savedOffset() {
    return savedOffset;
  }

  /** Starts writing {@code changes} on the checkpoint thread; false (nothing done) if busy. */
  boolean offer(StateChanges changes) {
    if (closed) {
      throw new IllegalStateException("the checkpoint writer is closed");
    }
    if (busy()) {
      return false;
    }
    if (changes.full) {
      wantsFull = false;
    }
    inFlight = new FutureTask<>(() -> write(changes), null);
    tasks.add(inFlight);
    return true;
  }

  private void write(StateChanges changes) {
    boolean saved;
    try {
      saved = saver.save(changes);
    } catch (RuntimeException | Error e) {
      LOG.warn("state checkpoint at offset {} failed", changes.appliedOffset, e);
      saved = false;
    }
    if (saved) {
      savedOffset = changes.appliedOffset;
    } else {
      wantsFull = true;
    }
  }

  /** Waits until no checkpoint is being written. */
  void awaitIdle() {
    if (inFlight == null) {
      return;
    }
    boolean interrupted = false;
    while (true) {
      try {
        inFlight.get();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException e) {
        break; // write() catches and logs what a save throws
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Lets the checkpoint in flight finish, closes the store on the checkpoint thread and waits for
   * the thread to end. Returns false if it did not end in time (a save stuck on the disk): the
   * store is then closed whenever that save returns. Idempotent.
   */
  boolean close() {
    if (!closed) {
      closed = true;
      tasks.add(closeStore);
    }
    if (!ThreadEnd.awaitEnd(thread, STOP_WAIT_MS)) {
      LOG.error("the state checkpoint thread did not stop within {} ms", STOP_WAIT_MS);
      return false;
    }
    return true;
  }
}
