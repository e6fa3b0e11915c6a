package io.ordo.broker.server;

import io.ordo.broker.sequencer.SequencedLog;
import io.ordo.broker.storage.FsyncPolicy;
import io.ordo.broker.storage.Log;
import java.io.IOException;
import java.nio.ByteBuffer;

/** The storage {@link Log} as the sequencer sees it. Sequencer thread only. */
public final class SequencerLog implements SequencedLog {
  private final Log log;
  private final FsyncPolicy policy;

  /** Retention runs on the writer thread, at the end of a group, at most this often. */
  private final long retentionCheckIntervalMs;

  private long nextRetentionCheckMs;

  public SequencerLog(Log log, FsyncPolicy policy, long retentionCheckIntervalMs) {
    this.log = log;
    this.policy = policy;
    this.retentionCheckIntervalMs = retentionCheckIntervalMs;
  }

  @Override
  public long nextOffset() {
    return log.nextOffset();
  }

  @Override
  public long durableOffset() {
    return log.durableOffset();
  }

  @Override
  public void append(ByteBuffer[] batches, int count) throws IOException {
    log.append(batches, count);
  }

  @Override
  public void flush() throws IOException {
    log.flush();
  }

  @Override
  public void onGroupEnd(long nowMs) throws IOException {
    log.onGroupEnd(nowMs);
    if (nowMs >= nextRetentionCheckMs) {
      nextRetentionCheckMs = nowMs + retentionCheckIntervalMs;
      log.enforceRetention(nowMs);
    }
  }

  @Override
  public boolean acksWaitForFsync() {
    return policy != FsyncPolicy.NEVER;
  }
}
