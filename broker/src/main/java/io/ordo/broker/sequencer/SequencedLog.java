package io.ordo.broker.sequencer;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What the sequencer needs of the log: append stamped batches, end a group (fsync per policy), and
 * report how far the log is written and durable. Called from the sequencer thread only.
 */
public interface SequencedLog {
  long nextOffset();

  long durableOffset();

  void append(ByteBuffer[] batches, int count) throws IOException;

  /** Fsyncs everything appended so far. */
  void flush() throws IOException;

  /** Ends a group: fsyncs if the policy says so. */
  void onGroupEnd(long nowMs) throws IOException;

  /**
   * True when an acknowledgement must wait for {@link #durableOffset()}; false when the policy
   * acknowledges as soon as the batch is written.
   */
  boolean acksWaitForFsync();
}
