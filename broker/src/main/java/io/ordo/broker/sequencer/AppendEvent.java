package io.ordo.broker.sequencer;

/** The Disruptor ring slot: a reference to one request. Reused; cleared after processing. */
public final class AppendEvent {
  ProduceRequest request;

  public void set(ProduceRequest request) {
    this.request = request;
  }
}
