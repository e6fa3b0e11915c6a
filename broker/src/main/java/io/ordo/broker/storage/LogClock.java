package io.ordo.broker.storage;

/**
 * The wall clock the log reads when it decides to roll a segment by age. Injected so that tests run
 * on virtual time. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface LogClock {
  /** The clock of the machine: {@link System#currentTimeMillis()}. */
  LogClock SYSTEM = System::currentTimeMillis;

  long nowMs();
}
