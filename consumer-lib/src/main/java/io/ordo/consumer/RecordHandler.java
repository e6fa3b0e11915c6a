package io.ordo.consumer;

/**
 * Receives records in log order, one at a time, on the consumer's thread. An exception stops the
 * consumer (the record is not committed).
 */
@FunctionalInterface
public interface RecordHandler {
  void handle(ConsumerRecord record) throws Exception;
}
