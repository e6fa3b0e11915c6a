package io.ordo.broker.platform;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the calling thread the lowest CPU priority (Linux nice {@value #NICE}). For the node's
 * background threads, whose work can wait: the segment preparer's zeros and the state checkpoint.
 * On a machine whose cores are all busy, a waking sequencer or I/O thread then gets a core before
 * them rather than after their time slice: at nice 19 the ack p99 at 500,000 records/s was lower in
 * 16 of 19 alternating rounds, and full-speed throughput higher in 10 of 10 (docs/performance.md).
 * Raising one's own nice value needs no privilege. Elsewhere than Linux, or without JNA's native
 * library, it does nothing.
 *
 * <p>Thread safety: any thread may call {@link #lowerCurrentThread}; it affects that thread only.
 * {@link #startThread} starts a thread that does so first.
 */
public final class BackgroundPriority {
  /** The nice value background threads get: the lowest priority there is. */
  public static final int NICE = 19;

  private static final Logger LOG = LoggerFactory.getLogger(BackgroundPriority.class);
  private static final int PRIO_PROCESS = 0;
  private static final boolean LINKED = link();

  private BackgroundPriority() {}

  /** The C library calls used, bound by JNA's direct mapping. */
  private static final class LibC {
    static native int gettid();

    static native int setpriority(int which, int who, int prio);
  }

  private static boolean link() {
    if (!Platform.isLinux()) {
      return false;
    }
    try {
      Native.register(LibC.class, Platform.C_LIBRARY_NAME);
      return true;
    } catch (LinkageError | RuntimeException e) {
      LOG.debug(
          "No native priority control ({}); background threads keep the default", e.toString());
      return false;
    }
  }

  /**
   * Starts a daemon thread named {@code name} that lowers its own priority ({@link
   * #lowerCurrentThread}) and then runs {@code body}: the node's background threads.
   */
  public static Thread startThread(String name, Runnable body) {
    Thread t =
        new Thread(
            () -> {
              lowerCurrentThread();
              body.run();
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Lowers the calling thread's priority to nice {@value #NICE}.
   *
   * @return whether it was lowered (false: not Linux, no native library, or the call failed)
   */
  public static boolean lowerCurrentThread() {
    if (!LINKED) {
      return false;
    }
    try {
      // on Linux, PRIO_PROCESS with a thread id sets that one thread's nice value
      if (LibC.setpriority(PRIO_PROCESS, LibC.gettid(), NICE) == 0) {
        return true;
      }
      LOG.debug("setpriority failed (errno {})", Native.getLastError());
    } catch (LinkageError e) {
      LOG.debug("No native priority control ({})", e.toString());
    }
    return false;
  }
}
