package io.ordo.tools;

import io.ordo.producer.Producer;
import picocli.CommandLine.Option;

/** Where the perf commands' producer runs its completions (see Producer.Builder). */
final class PerfCallbackOption {
  @Option(
      names = "--callbacks-on-io-thread",
      description =
          "Complete sends on the producer's I/O thread, as Kafka's producer does, instead of its"
              + " callback thread (the library's default).")
  boolean onIoThread;

  Producer.Builder apply(Producer.Builder b) {
    return b.callbacksOnIoThread(onIoThread);
  }
}
