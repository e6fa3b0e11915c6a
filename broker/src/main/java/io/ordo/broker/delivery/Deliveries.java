package io.ordo.broker.delivery;

import io.netty.channel.Channel;
import io.ordo.broker.storage.Log;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.wire.ReadMessages;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens subscriptions: checks the request, resolves the start position (earliest, latest, an
 * offset, or a timestamp through the time index) and registers the subscription for wake-ups.
 *
 * <p>Thread-safe; {@link #open} runs on the subscribing channel's event loop.
 */
public final class Deliveries {
  /** Most credit one request may grant or start with. */
  public static final long MAX_CREDIT_BYTES = 1L << 40;

  /**
   * Batch headers the lag counts of one request may read together (about 100-300 ms of an I/O
   * thread at most, however many groups it describes).
   */
  public static final int LAG_SCAN_BATCHES = 100_000;

  private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);

  private final Log log;
  private final CommitWatch watch;
  private final DeliveryConfig config;

  public Deliveries(Log log, CommitWatch watch, DeliveryConfig config) {
    this.log = log;
    this.watch = watch;
    this.config = config;
  }

  public CommitWatch watch() {
    return watch;
  }

  /**
   * The committed records a group's subscription ({@code subscriptionKey}) has yet to receive from
   * {@code position}, counted over at most {@code maxBatches} batch headers; {@link
   * SubscriptionLag.Lag#UNKNOWN} when it cannot be counted (an unknown key, no position, the log
   * changed under the walk).
   */
  public SubscriptionLag.Lag lag(String subscriptionKey, long position, int maxBatches) {
    try {
      return SubscriptionLag.of(log, subscriptionKey, position, watch.commitOffset(), maxBatches);
    } catch (IOException | OrdoException e) {
      LOG.debug("could not count the lag of {} from {}", subscriptionKey, position, e);
      return SubscriptionLag.Lag.UNKNOWN;
    }
  }

  /**
   * Opens a subscription on {@code channel} and starts pushing.
   *
   * @throws OrdoException INVALID_REQUEST for a bad filter or start, OFFSET_OUT_OF_RANGE for an
   *     offset outside the log
   */
  public Subscription open(
      Channel channel, ReadMessages.Subscribe s, Subscription.Listener listener)
      throws IOException {
    StreamFilter filter = StreamFilter.of(s.filterKind(), s.filter());
    if (s.initialCreditBytes() < 0 || s.initialCreditBytes() > MAX_CREDIT_BYTES) {
      throw new OrdoException(
          ErrorCode.INVALID_REQUEST, "initial credit " + s.initialCreditBytes() + " out of range");
    }
    long start = resolveStart(s.startKind(), s.startValue());
    Subscription sub =
        new Subscription(
            channel, log, watch, filter, config, listener, start, s.initialCreditBytes());
    watch.register(sub);
    return sub;
  }

  /** The offset a start position means now. */
  public long resolveStart(byte kind, long value) throws IOException {
    switch (kind) {
      case ReadMessages.START_EARLIEST:
        return log.startOffset();
      case ReadMessages.START_LATEST:
        return Math.max(log.startOffset(), watch.commitOffset());
      case ReadMessages.START_OFFSET:
        long startOffset = log.startOffset();
        long end = log.nextOffset();
        if (value < startOffset) {
          throw new OrdoException(
              ErrorCode.OFFSET_OUT_OF_RANGE,
              "offset "
                  + value
                  + " is behind the retention horizon: the log now starts at "
                  + startOffset
                  + "; restart from the earliest or latest offset");
        }
        if (value > end) {
          throw new OrdoException(
              ErrorCode.OFFSET_OUT_OF_RANGE,
              "offset " + value + " is outside the log [" + startOffset + ", " + end + "]");
        }
        return value;
      case ReadMessages.START_TIMESTAMP:
        return Math.max(log.startOffset(), log.offsetForTimestamp(value));
      default:
        throw new OrdoException(ErrorCode.INVALID_REQUEST, "unknown start kind " + kind);
    }
  }
}
