package io.ordo.producer;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.DecoderException;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.MessageType;
import io.ordo.protocol.wire.Messages;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One TCP connection to a broker: the handshake, the producer-session request, PRODUCE requests and
 * their responses, matched in request order. It turns frames into calls on its {@link Listener} and
 * never decides what to do about an error; anything the broker sends that breaks the protocol
 * closes the connection and is reported as a violation.
 *
 * <p>Event-loop thread only. A new instance per connection attempt, so the listener can tell a
 * stale connection's events from the current one's; after the first of {@link
 * Listener#onDisconnected}, {@link Listener#onProtocolViolation} or {@link #close} it reports
 * nothing more.
 */
final class BrokerConnection {
  /** Largest frame accepted before the broker has said its own limit (HELLO_OK is tiny). */
  static final int HANDSHAKE_MAX_FRAME_BYTES = 64 * 1024;

  /** Bytes of a PRODUCE frame besides its batches: frame header and batch count. */
  static final int PRODUCE_OVERHEAD = Frame.HEADER_LENGTH + 4;

  /** Smallest broker limits this client can work with. */
  static final int MIN_BROKER_LIMIT_BYTES = 1024;

  /** What the connection reports; called on the event-loop thread. */
  interface Listener {
    void onHandshake(BrokerConnection c, Messages.HelloOk ok);

    void onInitProducer(BrokerConnection c, Messages.InitProducerResponse response);

    /** Results of one PRODUCE request, {@code results.get(i)} for {@code batches.get(i)}. */
    void onProduceResponse(
        BrokerConnection c, List<ProducerBatch> batches, List<Messages.BatchResult> results);

    /** The broker answered a request with an ERROR frame ({@code batches} empty unless PRODUCE). */
    void onRequestError(
        BrokerConnection c, MessageType request, List<ProducerBatch> batches, Messages.Error error);

    /** The connection failed or was closed by the broker; {@code cause} may be null. */
    void onDisconnected(BrokerConnection c, Throwable cause);

    /** The broker sent something this client cannot accept; the connection is closed. */
    void onProtocolViolation(BrokerConnection c, OrdoException violation);
  }

  private record Request(
      long correlationId, MessageType type, List<ProducerBatch> batches, long sentNs) {}

  private final Bootstrap bootstrap;
  private final SocketAddress address;
  private final String clientId;
  private final Listener listener;
  private final ArrayDeque<Request> requests = new ArrayDeque<>();
  private final FrameDecoder decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME_BYTES);
  private Channel channel;
  private boolean closed;
  private boolean handshakeDone;
  private boolean unflushed;
  private long nextCorrelationId = 1;

  BrokerConnection(Bootstrap bootstrap, SocketAddress address, String clientId, Listener listener) {
    this.bootstrap = bootstrap;
    this.address = address;
    this.clientId = clientId;
    this.listener = listener;
  }

  /** The broker's address as host:port, for messages. */
  String address() {
    return address instanceof InetSocketAddress a
        ? a.getHostString() + ":" + a.getPort()
        : String.valueOf(address);
  }

  boolean handshakeDone() {
    return handshakeDone;
  }

  /** Requests sent and not yet answered. */
  int outstandingRequests() {
    return requests.size();
  }

  /** When the oldest unanswered request was sent, or {@link Long#MAX_VALUE} if none. */
  long oldestRequestSentNs() {
    Request r = requests.peekFirst();
    return r == null ? Long.MAX_VALUE : r.sentNs();
  }

  /** Starts connecting; the handshake follows as soon as the connection is up. */
  void connect() {
    ChannelFuture f =
        bootstrap
            .clone()
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(decoder, new Inbound());
                  }
                })
            .connect(address);
    channel = f.channel();
    f.addListener(
        done -> {
          if (!done.isSuccess()) {
            disconnected(done.cause());
          }
        });
  }

  void initProducer(String producerName, long nowNs) {
    long id = nextCorrelationId++;
    ByteBuf out = channel.alloc().directBuffer(Frame.HEADER_LENGTH + 2 + producerName.length() * 3);
    Messages.writeInitProducer(out, id, producerName);
    write(out, new Request(id, MessageType.INIT_PRODUCER, List.of(), nowNs));
  }

  /**
   * Writes one PRODUCE frame holding {@code batches} (already encoded, together no larger than the
   * broker's frame limit). The batches' bytes are shared, not copied.
   */
  void produce(List<ProducerBatch> batches, long nowNs) {
    long id = nextCorrelationId++;
    int batchBytes = 0;
    for (ProducerBatch b : batches) {
      batchBytes += b.encodedLength();
    }
    ByteBuf header = channel.alloc().directBuffer(PRODUCE_OVERHEAD, PRODUCE_OVERHEAD);
    int start = Messages.beginProduce(header, id, batches.size());
    header.setIntLE(start, header.writerIndex() - start - Frame.LENGTH_FIELD_LENGTH + batchBytes);
    CompositeByteBuf frame = channel.alloc().compositeDirectBuffer(batches.size() + 1);
    frame.addComponent(true, header);
    for (ProducerBatch b : batches) {
      frame.addComponent(true, b.bytes.retainedDuplicate());
    }
    write(frame, new Request(id, MessageType.PRODUCE, batches, nowNs));
  }

  /** Sends what was written since the last flush. */
  void flush() {
    if (unflushed && !closed) {
      unflushed = false;
      channel.flush();
    }
  }

  /** Closes the connection without reporting anything to the listener. */
  void close() {
    closed = true;
    requests.clear();
    if (channel != null) {
      channel.close();
    }
  }

  private void write(ByteBuf frame, Request request) {
    if (closed) {
      frame.release();
      return;
    }
    requests.addLast(request);
    channel.write(frame, channel.voidPromise());
    unflushed = true;
  }

  private void disconnected(Throwable cause) {
    if (closed) {
      return;
    }
    close();
    listener.onDisconnected(this, cause);
  }

  private void violation(OrdoException e) {
    if (closed) {
      return;
    }
    close();
    listener.onProtocolViolation(this, e);
  }

  private void onFrame(ByteBuf frame) {
    int typeCode = Frame.type(frame);
    long correlationId = Frame.correlationId(frame);
    Frame.skipHeader(frame);
    MessageType type = MessageType.forCode(typeCode);
    if (type == null) {
      throw malformed("the broker sent a frame of unknown type " + typeCode);
    }
    Request request = requests.peekFirst();
    if (request == null || request.correlationId() != correlationId) {
      throw malformed(
          "the broker sent "
              + type
              + " with correlation id "
              + correlationId
              + " but the next outstanding request has "
              + (request == null ? "none" : String.valueOf(request.correlationId())));
    }
    requests.pollFirst();
    if (type == MessageType.ERROR) {
      Messages.Error error = Messages.readError(frame);
      listener.onRequestError(this, request.type(), request.batches(), error);
      return;
    }
    switch (request.type()) {
      case HELLO -> {
        expect(request, type, MessageType.HELLO_OK);
        Messages.HelloOk ok = checked(Messages.readHelloOk(frame));
        handshakeDone = true;
        decoder.maxFrameBytes(ok.maxFrameBytes());
        listener.onHandshake(this, ok);
      }
      case INIT_PRODUCER -> {
        expect(request, type, MessageType.INIT_PRODUCER_RESPONSE);
        listener.onInitProducer(this, Messages.readInitProducerResponse(frame));
      }
      case PRODUCE -> {
        expect(request, type, MessageType.PRODUCE_RESPONSE);
        int count = Messages.readProduceResponseCount(frame);
        if (count != request.batches().size()) {
          throw malformed(
              "the broker answered "
                  + count
                  + " results to a PRODUCE of "
                  + request.batches().size()
                  + " batches");
        }
        List<Messages.BatchResult> results = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          results.add(Messages.readBatchResult(frame));
        }
        listener.onProduceResponse(this, request.batches(), results);
      }
      default -> throw new IllegalStateException("no response expected to " + request.type());
    }
  }

  private static void expect(Request request, MessageType actual, MessageType expected) {
    if (actual != expected) {
      throw malformed(
          "the broker answered " + request.type() + " with " + actual + " instead of " + expected);
    }
  }

  private static Messages.HelloOk checked(Messages.HelloOk ok) {
    if (ok.version() != Messages.PROTOCOL_VERSION) {
      throw new OrdoException(
          ErrorCode.UNSUPPORTED_VERSION,
          "the broker chose protocol version " + ok.version() + ", this client speaks only 1");
    }
    if (ok.maxFrameBytes() < MIN_BROKER_LIMIT_BYTES
        || ok.maxFrameBytes() > Frame.DEFAULT_MAX_FRAME_BYTES
        || ok.maxBatchBytes() < MIN_BROKER_LIMIT_BYTES
        || ok.maxBatchBytes() > RecordBatch.MAX_BATCH_LENGTH) {
      throw malformed(
          "the broker's limits (frame "
              + ok.maxFrameBytes()
              + ", batch "
              + ok.maxBatchBytes()
              + " bytes) are out of range");
    }
    return ok;
  }

  private static OrdoException malformed(String detail) {
    return new OrdoException(ErrorCode.MALFORMED_FRAME, detail);
  }

  /** The pipeline's last handler: forwards events of this connection's channel. */
  private final class Inbound extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      long id = nextCorrelationId++;
      ByteBuf out = ctx.alloc().directBuffer(64 + clientId.length() * 3);
      Messages.writeHello(
          out,
          id,
          new Messages.Hello(Messages.MIN_PROTOCOL_VERSION, Messages.PROTOCOL_VERSION, clientId));
      write(out, new Request(id, MessageType.HELLO, List.of(), System.nanoTime()));
      flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf frame = (ByteBuf) msg;
      try {
        if (!closed) {
          onFrame(frame);
        }
      } catch (OrdoException e) {
        violation(e);
      } finally {
        frame.release();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      disconnected(null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Throwable c =
          cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
      if (c instanceof OrdoException e) {
        violation(e);
      } else {
        disconnected(c);
      }
    }
  }
}
