package io.ordo.broker.storage;

/**
 * When the log forces appended bytes to disk, decided at the end of each append group ({@link
 * Log#onGroupEnd}). Rolling a segment, {@link Log#flush} and {@link Log#close} always fsync,
 * whatever the policy.
 */
public enum FsyncPolicy {
  /** One fsync per append group: an acknowledged group survives a power loss. */
  EVERY_GROUP,
  /** At most one fsync per {@link LogConfig#fsyncIntervalMs()}; the last interval may be lost. */
  INTERVAL,
  /** Never from {@link Log#onGroupEnd}; durability comes from replication alone. */
  NEVER
}
