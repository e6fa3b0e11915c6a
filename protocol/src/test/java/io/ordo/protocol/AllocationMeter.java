package io.ordo.protocol;

import java.lang.management.ManagementFactory;

/**
 * Counts the bytes the current thread allocates on the heap, through {@link
 * com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}. Used by the fuzz tests to prove
 * that decoding allocates in proportion to the bytes present, never to a length field. Call from
 * the thread being measured.
 */
public final class AllocationMeter {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private AllocationMeter() {}

  /** Bytes allocated so far by the calling thread. */
  public static long allocatedBytes() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }

  /** True when this JVM can measure allocation per thread. */
  public static boolean supported() {
    return THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled();
  }
}
