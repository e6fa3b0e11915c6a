package io.ordo.broker.server;

import io.ordo.broker.sequencer.SequencedLog;
import io.ordo.broker.storage.FsyncPolicy;
import io.ordo.broker.storage.Log;
import java.io.IOException;
import java.nio.ByteBuffer;

/** The storage {@link Log} as the sequencer sees it. Sequencer thread only. */
final class SequencerLog implements SequencedLog {
  /** Retention runs on the writer thread, at most this often. */
  private static final long RETENTION_CHECK_INTERVAL_MS = 10_000;

  private final Log log;
  private final FsyncPolicy policy;
  private long nextRetentionCheckMs;

  SequencerLog(Log log, FsyncPolicy policy) {
    this.log = log;
    this.policy = policy;
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
      nextRetentionCheckMs = nowMs + RETENTION_CHECK_INTERVAL_MS;
      log.enforceRetention(nowMs);
    }
  }

  @Override
  public boolean acksWaitForFsync() {
    return policy != FsyncPolicy.NEVER;
  }
}
