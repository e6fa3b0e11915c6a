package io.ordo.broker.sequencer;

/**
 * The Disruptor ring slot: a reference to one request (produce or group). Reused; cleared after
 * processing.
 */
public final class AppendEvent {
  ProduceRequest request;
  GroupRequest groupRequest;

  public void set(ProduceRequest request) {
    this.request = request;
  }

  public void set(GroupRequest request) {
    this.groupRequest = request;
  }
}
