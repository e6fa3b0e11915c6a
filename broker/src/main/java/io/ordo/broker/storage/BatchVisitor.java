package io.ordo.broker.storage;

import io.ordo.protocol.batch.RecordBatch;
import java.io.IOException;

/**
 * Receives the batches of {@link Log#forEachBatch}, each one CRC-checked. The flyweight and the
 * buffer behind it are reused: they are valid only during the call.
 */
@FunctionalInterface
public interface BatchVisitor {
  void onBatch(RecordBatch batch) throws IOException;
}
