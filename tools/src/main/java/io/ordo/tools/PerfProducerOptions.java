package io.ordo.tools;

import io.ordo.producer.Producer;
import io.ordo.protocol.wire.Transport;
import picocli.CommandLine.Option;

/** Producer settings only the perf commands expose, for A/B runs (see Producer.Builder). */
final class PerfProducerOptions {
  @Option(
      names = "--callbacks-on-io-thread",
      description =
          "Complete sends on the producer's I/O thread, as Kafka's producer does, instead of its"
              + " callback thread (the library's default).")
  boolean onIoThread;

  @Option(
      names = "--transport",
      defaultValue = "auto",
      description =
          "Netty transport of the producer's I/O thread: auto (epoll where it loads), epoll, nio"
              + " (default: ${DEFAULT-VALUE}).")
  Transport transport;

  Producer.Builder apply(Producer.Builder b) {
    return b.callbacksOnIoThread(onIoThread).transport(transport);
  }
}
