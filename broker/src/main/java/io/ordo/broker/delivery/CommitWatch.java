package io.ordo.broker.delivery;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The commit offset (everything below it is acknowledged and may be delivered) and the open
 * subscriptions to wake when it moves. The sequencer calls {@link #advance} after each group; the
 * wake-ups are coalesced per subscription and run on the subscriptions' own event loops, never on
 * the sequencer thread.
 *
 * <p>Thread-safe.
 */
public final class CommitWatch {
  private final AtomicLong commitOffset;
  private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();

  public CommitWatch(long initialCommitOffset) {
    this.commitOffset = new AtomicLong(initialCommitOffset);
  }

  public long commitOffset() {
    return commitOffset.get();
  }

  /** Publishes a new commit offset (ignored when it is not higher) and wakes the subscriptions. */
  public void advance(long offset) {
    long prev = commitOffset.get();
    if (offset <= prev) {
      return;
    }
    commitOffset.set(offset); // single writer: the sequencer
    for (Subscription s : subscriptions) {
      s.wake();
    }
  }

  void register(Subscription s) {
    subscriptions.add(s);
  }

  void unregister(Subscription s) {
    subscriptions.remove(s);
  }

  public int subscriptionCount() {
    return subscriptions.size();
  }
}
