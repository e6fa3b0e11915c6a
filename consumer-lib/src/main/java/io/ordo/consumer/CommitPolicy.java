package io.ordo.consumer;

/** When a group consumer commits its offset. */
public enum CommitPolicy {
  /**
   * After the handler returns, batched: at most every {@code commitIntervalMs}, and on close.
   * Records handled but not yet committed when the member fails are delivered again to the next
   * active member.
   */
  AFTER_HANDLER,
  /** Only when the application calls {@link Consumer#commit()}. */
  MANUAL
}
