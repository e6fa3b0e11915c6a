package io.ordo.broker.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.ordo.broker.delivery.Deliveries;
import io.ordo.broker.delivery.Subscription;
import io.ordo.broker.delivery.SubscriptionLag;
import io.ordo.broker.groups.GroupCoordinator;
import io.ordo.broker.sequencer.GroupRequest;
import io.ordo.broker.sequencer.ProduceRequest;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordCursor;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.MessageType;
import io.ordo.protocol.wire.Messages;
import io.ordo.protocol.wire.ReadMessages;
import io.ordo.protocol.wire.WireReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
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
  private final ReadPath readPath;
  private Subscription subscription;
  private GroupCoordinator.Member member;

  /** The read path's parts a connection uses. */
  record ReadPath(Deliveries deliveries, GroupCoordinator groups, LongSupplier logStartOffset) {}

  /** Where checked requests go: the sequencer's ring. */
  interface RequestSink {
    /** Publishes the request; returns false if the node is shutting down. */
    boolean publish(ProduceRequest request);

    /** Publishes a group request; returns false if the node is shutting down. */
    boolean publish(GroupRequest request);

    int nodeId();
  }

  ClientConnection(NodeConfig config, RequestSink sink, ReadPath readPath) {
    this.config = config;
    this.readPath = readPath;
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
    } catch (IOException e) {
      fail(ctx, correlationId, ErrorCode.STORAGE_ERROR, "reading the log failed: " + e);
    } catch (OrdoException e) {
      fail(ctx, correlationId, e.errorCode(), e.detail());
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
  private boolean onFrame(ChannelHandlerContext ctx, ByteBuf frame, long correlationId)
      throws IOException {
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
    if (member != null) {
      readPath.groups().touch(member);
    }
    switch (type) {
      case SUBSCRIBE:
        onSubscribe(ctx, ReadMessages.readSubscribe(frame), correlationId);
        return false;
      case CREDIT:
        long credit = ReadMessages.readCredit(frame);
        if (subscription == null) {
          throw new OrdoException(ErrorCode.INVALID_REQUEST, "credit without a subscription");
        }
        subscription.grant(Math.min(credit, Deliveries.MAX_CREDIT_BYTES));
        return false;
      case HEARTBEAT:
        WireReader.requireEnd(frame, "heartbeat");
        return false;
      case JOIN_GROUP:
        onJoinGroup(ctx, ReadMessages.readJoinGroup(frame), correlationId);
        return false;
      case COMMIT_OFFSET:
        onCommitOffset(ctx, ReadMessages.readCommitOffset(frame), correlationId);
        return false;
      case LIST_STREAMS:
        onListStreams(ctx, ReadMessages.readListStreams(frame), correlationId);
        return false;
      case DESCRIBE_GROUPS:
        onDescribeGroups(ctx, ReadMessages.readDescribeGroups(frame), correlationId);
        return false;
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

  // ---- the read path ----

  private void onSubscribe(ChannelHandlerContext ctx, ReadMessages.Subscribe s, long correlationId)
      throws IOException {
    if (subscription != null) {
      throw new OrdoException(ErrorCode.INVALID_REQUEST, "one subscription per connection");
    }
    if (!s.group().isEmpty()) {
      if (member == null || !member.group().equals(s.group())) {
        throw new OrdoException(
            ErrorCode.INVALID_REQUEST, "subscribe with a group needs JOIN_GROUP first");
      }
      if (!readPath.groups().isActive(member, s.generation())) {
        reply(
            ctx,
            correlationId,
            ErrorCode.STALE_GENERATION,
            "generation " + s.generation() + " is not the active one of group " + s.group());
        return;
      }
    }
    Channel ch = ctx.channel();
    subscription =
        readPath
            .deliveries()
            .open(ch, s, (code, message) -> fail(ctx, correlationId, code, message));
    ByteBuf out = ctx.alloc().ioBuffer(32);
    ReadMessages.writeSubscribeResponse(
        out,
        correlationId,
        new ReadMessages.SubscribeResponse(ErrorCode.NONE, subscription.nextOffset()));
    ctx.writeAndFlush(out);
    subscription.pump();
  }

  private void onJoinGroup(
      ChannelHandlerContext ctx, ReadMessages.JoinGroup j, long correlationId) {
    if (member != null) {
      throw new OrdoException(ErrorCode.INVALID_REQUEST, "this connection already joined a group");
    }
    if (j.group().isEmpty() || j.subscription().isEmpty()) {
      throw new OrdoException(ErrorCode.INVALID_REQUEST, "group and subscription must be named");
    }
    if (j.sessionTimeoutMs() < GroupCoordinator.MIN_SESSION_TIMEOUT_MS
        || j.sessionTimeoutMs() > GroupCoordinator.MAX_SESSION_TIMEOUT_MS) {
      throw new OrdoException(
          ErrorCode.INVALID_REQUEST,
          "session timeout "
              + j.sessionTimeoutMs()
              + " ms is outside "
              + GroupCoordinator.MIN_SESSION_TIMEOUT_MS
              + ".."
              + GroupCoordinator.MAX_SESSION_TIMEOUT_MS);
    }
    Channel ch = ctx.channel();
    member =
        readPath
            .groups()
            .join(
                j.group(),
                j.subscription(),
                j.memberId(),
                j.sessionTimeoutMs(),
                new GroupCoordinator.Link() {
                  @Override
                  public void onActive(GroupCoordinator.Member m, int generation, long committed) {
                    ByteBuf out = ch.alloc().ioBuffer(32);
                    ReadMessages.writeJoinGroupResponse(
                        out,
                        correlationId,
                        new ReadMessages.JoinGroupResponse(ErrorCode.NONE, generation, committed));
                    ch.writeAndFlush(out, ch.voidPromise());
                  }

                  @Override
                  public void onRemoved(GroupCoordinator.Member m, ErrorCode code, String message) {
                    ch.eventLoop().execute(() -> fail(ctx, correlationId, code, message));
                  }
                });
  }

  private void onCommitOffset(
      ChannelHandlerContext ctx, ReadMessages.CommitOffset c, long correlationId) {
    if (c.group().isEmpty() || c.subscription().isEmpty()) {
      throw new OrdoException(ErrorCode.INVALID_REQUEST, "group and subscription must be named");
    }
    Channel ch = ctx.channel();
    GroupRequest r =
        GroupRequest.commit(
            c.group(),
            c.subscription(),
            c.generation(),
            c.offset(),
            done -> {
              ByteBuf out = ch.alloc().ioBuffer(32);
              ReadMessages.writeCommitOffsetResponse(out, correlationId, done.error());
              ch.writeAndFlush(out, ch.voidPromise());
            });
    if (!sink.publish(r)) {
      reply(ctx, correlationId, ErrorCode.BROKER_UNAVAILABLE, "the node is shutting down");
    }
  }

  private void onListStreams(ChannelHandlerContext ctx, String prefix, long correlationId) {
    Channel ch = ctx.channel();
    GroupRequest r =
        GroupRequest.listStreams(
            prefix,
            done -> {
              List<ReadMessages.StreamInfo> streams = new ArrayList<>();
              for (GroupRequest.StreamState st : done.streams()) {
                streams.add(
                    new ReadMessages.StreamInfo(
                        st.name(), st.records(), st.nextVersion(), st.lastBatchOffset()));
              }
              ByteBuf out = ch.alloc().ioBuffer(64 + streams.size() * 64);
              ReadMessages.writeListStreamsResponse(
                  out,
                  correlationId,
                  new ReadMessages.StreamList(
                      readPath.logStartOffset().getAsLong(), done.logNextOffset(), streams));
              ch.writeAndFlush(out, ch.voidPromise());
            });
    if (!sink.publish(r)) {
      reply(ctx, correlationId, ErrorCode.BROKER_UNAVAILABLE, "the node is shutting down");
    }
  }

  private void onDescribeGroups(ChannelHandlerContext ctx, String group, long correlationId) {
    List<ReadMessages.GroupInfo> groups = new ArrayList<>();
    int lagBudget = Deliveries.LAG_SCAN_BATCHES; // shared by the groups of this request
    for (GroupCoordinator.Description d : readPath.groups().describe(group)) {
      SubscriptionLag.Lag lag =
          readPath.deliveries().lag(d.subscription(), d.committedOffset(), lagBudget);
      lagBudget -= lag.batchesRead();
      groups.add(
          new ReadMessages.GroupInfo(
              d.group(),
              d.subscription(),
              d.generation(),
              d.activeMember(),
              d.standbys(),
              d.committedOffset(),
              lag.records(),
              lag.exact()));
    }
    ByteBuf out = ctx.alloc().ioBuffer(64 + groups.size() * 64);
    ReadMessages.writeDescribeGroupsResponse(
        out,
        correlationId,
        new ReadMessages.GroupList(readPath.deliveries().watch().commitOffset(), groups));
    ctx.writeAndFlush(out);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (subscription != null && ctx.channel().isWritable()) {
      subscription.pump();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (subscription != null) {
      subscription.close();
    }
    if (member != null) {
      readPath.groups().leave(member);
    }
    ctx.fireChannelInactive();
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

  private static ChannelFuture reply(
      ChannelHandlerContext ctx, long correlationId, ErrorCode code, String message) {
    ByteBuf out = ctx.alloc().ioBuffer(64 + message.length());
    Messages.writeError(out, correlationId, code, message);
    return ctx.writeAndFlush(out);
  }

  /** Answers with an error and closes: the stream can no longer be trusted. */
  private static void fail(
      ChannelHandlerContext ctx, long correlationId, ErrorCode code, String message) {
    reply(ctx, correlationId, code, message).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("closing {} after {}", ctx.channel(), cause.toString());
    ctx.close();
  }
}
