package io.ordo.tools;

import io.ordo.producer.Producer;
import io.ordo.protocol.batch.Compression;
import picocli.CommandLine.Option;

/** Producer options shared by {@code ordo produce} and {@code ordo perf produce}. */
final class ClientOptions {
  @Option(
      names = "--bootstrap-server",
      required = true,
      description = "host:port of a node (comma-separated list allowed).")
  String bootstrapServer;

  @Option(
      names = "--compression",
      description = "Batch compression: none or zstd (default: ${DEFAULT-VALUE}).",
      defaultValue = "none")
  Compression compression;

  @Option(
      names = "--batch-size",
      description = "Largest batch in bytes (default: ${DEFAULT-VALUE}).",
      defaultValue = "32768")
  int batchSizeBytes;

  @Option(
      names = "--linger-ms",
      description = "How long a batch waits for more records (default: ${DEFAULT-VALUE}).",
      defaultValue = "1")
  long lingerMs;

  @Option(
      names = "--max-in-flight",
      description = "Unacknowledged batches per producer, at most 64 (default: ${DEFAULT-VALUE}).",
      defaultValue = "64")
  int maxInFlightBatches;

  @Option(names = "--producer-name", description = "Stable producer name (fences older instances).")
  String producerName;

  @Option(
      names = "--delivery-timeout-ms",
      description =
          "How long a record may wait for its acknowledgement, retries included, before it fails"
              + " (default: ${DEFAULT-VALUE}).",
      defaultValue = "120000")
  long deliveryTimeoutMs;

  Producer.Builder producerBuilder() {
    Producer.Builder b =
        Producer.builder()
            .bootstrapServers(bootstrapServer.split(","))
            .compression(compression)
            .batchSizeBytes(batchSizeBytes)
            .lingerMs(lingerMs)
            .maxInFlightBatches(maxInFlightBatches)
            .deliveryTimeoutMs(deliveryTimeoutMs);
    if (producerName != null) {
      b.producerName(producerName);
    }
    return b;
  }
}
