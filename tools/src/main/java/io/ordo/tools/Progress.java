package io.ordo.tools;

/**
 * A one-line progress counter on stderr, shown only when a person is watching (a console is
 * attached); silent in pipes and tests. Not thread-safe: call from one thread.
 */
final class Progress {
  private final String what;
  private final boolean enabled;
  private long lastPrintNs;

  private Progress(String what, boolean enabled) {
    this.what = what;
    this.enabled = enabled;
  }

  static Progress onTerminal(String what) {
    return new Progress(what, System.console() != null);
  }

  void update(long sent, long acked) {
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastPrintNs >= 500_000_000L) {
      lastPrintNs = now;
      System.err.printf("\r%s: %,d sent, %,d acknowledged", what, sent, acked);
    }
  }

  void done(long sent, long acked) {
    if (enabled) {
      System.err.printf("\r%s: %,d sent, %,d acknowledged%n", what, sent, acked);
    }
  }
}
