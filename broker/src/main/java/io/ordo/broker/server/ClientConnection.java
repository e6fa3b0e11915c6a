package io.ordo.broker.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.ordo.broker.sequencer.ProduceRequest;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordCursor;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.MessageType;
import io.ordo.protocol.wire.Messages;
import io.ordo.protocol.wire.WireReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the handshake, then requests. Produce requests are checked here, on the
 * I/O thread (frame layout, batch lengths, CRC, record structure), so that bad input is answered
 * without reaching the sequencer's log; good batches go into the ring as retained slices of the
 * frame, without a copy. Bytes in flight per connection are bounded: past the limit the connection
 * stops reading until responses drain it.
 *
 * <p>Inbound methods run on the channel's event loop; the {@code on*Complete} callbacks run on the
 * sequencer thread and only encode and write (Netty hands the write to the event loop).
 */
final class ClientConnection extends ChannelInboundHandlerAdapter
    implements ProduceRequest.Responder {
  private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

  private final NodeConfig config;
  private final RequestSink sink;
  private final RecordBatch view = new RecordBatch();
  private final RecordCursor cursor;
  private final AtomicLong inFlightBytes = new AtomicLong();
  private volatile Channel channel;
  private boolean handshaken;

  /** Where checked requests go: the sequencer's ring. */
  interface RequestSink {
    /** Publishes the request; returns false if the node is shutting down. */
    boolean publish(ProduceRequest request);

    int nodeId();
  }

  ClientConnection(NodeConfig config, RequestSink sink) {
    this.config = config;
    this.sink = sink;
    this.cursor = new RecordCursor(config.maxBatchBytes());
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    long correlationId = Frame.correlationId(frame);
    boolean handedOver = false;
    try {
      handedOver = onFrame(ctx, frame, correlationId);
    } catch (OrdoException e) {
      fail(ctx, correlationId, e.errorCode(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("unexpected error on {}", ctx.channel(), e);
      fail(ctx, correlationId, ErrorCode.UNKNOWN, "unexpected server error");
    } finally {
      if (!handedOver) {
        frame.release();
      }
    }
  }

  /** Handles one frame; returns true when the frame's ownership passed to the sequencer. */
  private boolean onFrame(ChannelHandlerContext ctx, ByteBuf frame, long correlationId) {
    int typeCode = Frame.type(frame);
    MessageType type = MessageType.forCode(typeCode);
    Frame.skipHeader(frame);
    if (!handshaken) {
      if (type != MessageType.HELLO) {
        fail(ctx, correlationId, ErrorCode.HANDSHAKE_REQUIRED, "expected HELLO first");
        return false;
      }
      Messages.Hello hello = Messages.readHello(frame);
      short version = Messages.negotiate(hello);
      handshaken = true;
      ByteBuf out = ctx.alloc().ioBuffer(32);
      Messages.writeHelloOk(
          out,
          correlationId,
          new Messages.HelloOk(
              version, sink.nodeId(), config.maxFrameBytes(), config.maxBatchBytes()));
      ctx.writeAndFlush(out);
      return false;
    }
    if (type == null) {
      reply(ctx, correlationId, ErrorCode.UNKNOWN_REQUEST, "unknown message type " + typeCode);
      return false;
    }
    switch (type) {
      case PRODUCE:
        return onProduce(ctx, frame, correlationId);
      case INIT_PRODUCER:
        String name = Messages.readInitProducer(frame);
        publish(ctx, ProduceRequest.initProducer(this, correlationId, name), correlationId);
        return false;
      default:
        reply(ctx, correlationId, ErrorCode.UNKNOWN_REQUEST, "unexpected " + type);
        return false;
    }
  }

  private boolean onProduce(ChannelHandlerContext ctx, ByteBuf frame, long correlationId) {
    int count = WireReader.readInt(frame, "batch count");
    if (count < 1 || count > config.maxBatchesPerRequest()) {
      throw new OrdoException(
          ErrorCode.MALFORMED_FRAME,
          "batch count " + count + " is outside 1.." + config.maxBatchesPerRequest());
    }
    int start = frame.readerIndex();
    int available = frame.readableBytes();
    ByteBuffer body = frame.nioBuffer(start, available).order(ByteOrder.LITTLE_ENDIAN);
    ProduceRequest request = ProduceRequest.produce(this, correlationId, frame, count);
    int pos = 0;
    for (int i = 0; i < count; i++) {
      int length = RecordBatch.checkedLength(body, pos, available - pos, config.maxBatchBytes());
      request.setBatch(i, start + pos, length, check(body, pos, length));
      pos += length;
    }
    if (pos != available) {
      throw new OrdoException(
          ErrorCode.MALFORMED_FRAME, (available - pos) + " bytes after the last batch");
    }
    return publish(ctx, request, correlationId);
  }

  /** Checks one batch's content; returns the error to answer it with, or NONE. */
  private ErrorCode check(ByteBuffer body, int pos, int length) {
    try {
      view.wrap(body.slice(pos, length).order(ByteOrder.LITTLE_ENDIAN), 0);
      view.validatePayload();
      if (view.isControl()) {
        return ErrorCode.INVALID_BATCH;
      }
      if (body.get(pos + RecordBatch.STREAM_NAME_OFFSET) == '$') {
        return ErrorCode.INVALID_BATCH;
      }
      if (view.producerId() != RecordBatch.NO_PRODUCER_ID
          && (view.producerId() < 0 || view.producerEpoch() < 0 || view.baseSequence() < 0)) {
        return ErrorCode.INVALID_BATCH;
      }
      cursor.validate(view);
      return ErrorCode.NONE;
    } catch (OrdoException e) {
      LOG.debug("refused a batch on {}: {}", channel, e.getMessage());
      return e.errorCode();
    }
  }

  private boolean publish(ChannelHandlerContext ctx, ProduceRequest request, long correlationId) {
    long now = inFlightBytes.addAndGet(request.inFlightBytes());
    if (now > config.maxInFlightBytesPerConnection()) {
      ctx.channel().config().setAutoRead(false);
    }
    if (!sink.publish(request)) {
      inFlightBytes.addAndGet(-request.inFlightBytes());
      reply(ctx, correlationId, ErrorCode.BROKER_UNAVAILABLE, "the node is shutting down");
      return false;
    }
    return true;
  }

  @Override
  public void onProduceComplete(ProduceRequest r) {
    Channel ch = channel;
    ByteBuf out =
        ch.alloc()
            .ioBuffer(Frame.HEADER_LENGTH + 4 + r.batchCount() * Messages.BATCH_RESULT_LENGTH);
    int start = Messages.beginProduceResponse(out, r.correlationId(), r.batchCount());
    for (int i = 0; i < r.batchCount(); i++) {
      Messages.writeBatchResult(out, r.error(i), r.baseOffset(i), r.baseStreamVersion(i));
    }
    Frame.end(out, start);
    ch.writeAndFlush(out, ch.voidPromise());
    released(r);
  }

  @Override
  public void onInitProducerComplete(ProduceRequest r) {
    Channel ch = channel;
    ByteBuf out = ch.alloc().ioBuffer(32);
    Messages.writeInitProducerResponse(
        out,
        r.correlationId(),
        new Messages.InitProducerResponse(r.initError(), r.producerId(), r.producerEpoch()));
    ch.writeAndFlush(out, ch.voidPromise());
  }

  private void released(ProduceRequest r) {
    long now = inFlightBytes.addAndGet(-r.inFlightBytes());
    if (now <= config.maxInFlightBytesPerConnection() / 2) {
      Channel ch = channel;
      if (!ch.config().isAutoRead()) {
        ch.eventLoop().execute(() -> ch.config().setAutoRead(true));
      }
    }
  }

  private static void reply(
      ChannelHandlerContext ctx, long correlationId, ErrorCode code, String message) {
    ByteBuf out = ctx.alloc().ioBuffer(64 + message.length());
    Messages.writeError(out, correlationId, code, message);
    ctx.writeAndFlush(out);
  }

  /** Answers with an error and closes: the stream can no longer be trusted. */
  private static void fail(
      ChannelHandlerContext ctx, long correlationId, ErrorCode code, String message) {
    ByteBuf out = ctx.alloc().ioBuffer(64 + message.length());
    Messages.writeError(out, correlationId, code, message);
    ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("closing {} after {}", ctx.channel(), cause.toString());
    ctx.close();
  }
}
