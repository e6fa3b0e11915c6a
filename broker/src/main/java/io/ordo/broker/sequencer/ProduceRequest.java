package io.ordo.broker.sequencer;

import io.netty.buffer.ByteBuf;
import io.ordo.protocol.ErrorCode;

/**
 * One PRODUCE or INIT_PRODUCER request on its way through the sequencer. The I/O thread fills in
 * the batches (positions in {@link #frame}) and pre-validation errors; the sequencer fills in the
 * results and hands the request to its {@link Responder} once it is durable.
 *
 * <p>Written by the I/O thread before publication and by the sequencer thread after; the
 * Disruptor's publication gives the hand-off its ordering. Never shared otherwise.
 */
public final class ProduceRequest {
  /** Where the outcome of a request goes (the client connection). */
  public interface Responder {
    void onProduceComplete(ProduceRequest request);

    void onInitProducerComplete(ProduceRequest request);
  }

  public enum Kind {
    PRODUCE,
    INIT_PRODUCER
  }

  final Kind kind;
  final Responder responder;
  final long correlationId;

  /** The whole frame, retained until the sequencer has written the batches. */
  ByteBuf frame;

  final int batchCount;
  final int[] batchIndex;
  final int[] batchLength;
  final ErrorCode[] errors;
  final long[] baseOffsets;
  final long[] baseStreamVersions;

  /** Offset after this request's last stored batch; acknowledged once durable past it. */
  long ackOffset = -1;

  final String producerName;
  long producerId = -1;
  short producerEpoch = -1;
  ErrorCode initError = ErrorCode.NONE;

  /** Bytes this request counts against its connection's in-flight limit. */
  final int inFlightBytes;

  /** {@link System#nanoTime()} when the I/O thread made the request (its frame decoded). */
  final long receivedNs = System.nanoTime();

  private ProduceRequest(
      Kind kind,
      Responder responder,
      long correlationId,
      ByteBuf frame,
      int batchCount,
      String producerName,
      int inFlightBytes) {
    this.kind = kind;
    this.responder = responder;
    this.correlationId = correlationId;
    this.frame = frame;
    this.batchCount = batchCount;
    this.batchIndex = new int[batchCount];
    this.batchLength = new int[batchCount];
    this.errors = new ErrorCode[batchCount];
    this.baseOffsets = new long[batchCount];
    this.baseStreamVersions = new long[batchCount];
    this.producerName = producerName;
    this.inFlightBytes = inFlightBytes;
  }

  /** A produce request whose frame holds {@code batchCount} batches; takes over the frame. */
  public static ProduceRequest produce(
      Responder responder, long correlationId, ByteBuf frame, int batchCount) {
    return new ProduceRequest(
        Kind.PRODUCE, responder, correlationId, frame, batchCount, null, frame.readableBytes());
  }

  public static ProduceRequest initProducer(
      Responder responder, long correlationId, String producerName) {
    return new ProduceRequest(
        Kind.INIT_PRODUCER, responder, correlationId, null, 0, producerName, 0);
  }

  /** Records where batch {@code i} lies in the frame (absolute index) and its pre-check result. */
  public void setBatch(int i, int index, int length, ErrorCode error) {
    batchIndex[i] = index;
    batchLength[i] = length;
    errors[i] = error;
    baseOffsets[i] = -1;
    baseStreamVersions[i] = -1;
  }

  public Kind kind() {
    return kind;
  }

  public long correlationId() {
    return correlationId;
  }

  public int batchCount() {
    return batchCount;
  }

  public ErrorCode error(int i) {
    return errors[i];
  }

  public long baseOffset(int i) {
    return baseOffsets[i];
  }

  public long baseStreamVersion(int i) {
    return baseStreamVersions[i];
  }

  public long producerId() {
    return producerId;
  }

  public short producerEpoch() {
    return producerEpoch;
  }

  public ErrorCode initError() {
    return initError;
  }

  public int inFlightBytes() {
    return inFlightBytes;
  }

  void releaseFrame() {
    if (frame != null) {
      frame.release();
      frame = null;
    }
  }
}
