package io.ordo.broker.delivery;

/**
 * Limits of push delivery. Immutable.
 *
 * @param maxFrameBatchBytes most batch bytes read for one DELIVERY frame (a single larger batch
 *     still goes out whole)
 * @param scanBudgetBytes most bytes one pump walks before yielding the event loop
 */
public record DeliveryConfig(int maxFrameBatchBytes, long scanBudgetBytes) {
  public static final DeliveryConfig DEFAULTS = new DeliveryConfig(1024 * 1024, 8L * 1024 * 1024);

  public DeliveryConfig {
    if (maxFrameBatchBytes < 1024 || scanBudgetBytes < maxFrameBatchBytes) {
      throw new IllegalArgumentException("delivery limits out of range");
    }
  }
}
