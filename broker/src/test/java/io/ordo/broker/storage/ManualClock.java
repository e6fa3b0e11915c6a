package io.ordo.broker.storage;

/** A {@link LogClock} that moves only when a test says so. Thread-safe. */
final class ManualClock implements LogClock {
  private volatile long nowMs;

  ManualClock(long startMs) {
    this.nowMs = startMs;
  }

  @Override
  public long nowMs() {
    return nowMs;
  }

  long advance(long ms) {
    nowMs += ms;
    return nowMs;
  }

  void set(long ms) {
    nowMs = ms;
  }
}
