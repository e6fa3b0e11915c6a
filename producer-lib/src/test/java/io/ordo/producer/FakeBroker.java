package io.ordo.producer;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.Header;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordCursor;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.MessageType;
import io.ordo.protocol.wire.Messages;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * TEST FAKE, NOT THE ORDO BROKER. A tiny in-memory broker that speaks the producer's side of the
 * wire protocol with the semantics the real broker promises: handshake, INIT_PRODUCER with epoch
 * bumping for named producers, idempotent dedup by sequence over the last 64 batches of each
 * producer, offsets and stream versions. Nothing is written to disk and every answer is immediate
 * ("durable" at once) unless a fault says otherwise.
 *
 * <p>Faults, keyed by the number of the PRODUCE request (1-based, counted over all connections):
 * store it but drop its response and close the connection; answer an error for each of its batches
 * without storing; store it and go silent on that connection (it stays open); answer it with raw
 * bytes. Also: answer HELLO with an error; hold every response until released; delay every
 * response. A batch whose stream name starts with {@code poison} is refused with INVALID_BATCH.
 *
 * <p>Threading: one event-loop thread runs every connection and owns all state; tests read the
 * state through methods that run on that thread. Fault settings are thread-safe.
 */
final class FakeBroker implements AutoCloseable {
  static final int WINDOW_BATCHES = 64;

  /** One stored record. */
  record StoredRecord(
      long offset,
      String stream,
      long streamVersion,
      byte[] key,
      byte[] value,
      List<Header> headers,
      long batchBaseOffset) {}

  /** One stored batch. */
  record StoredBatch(
      long baseOffset,
      String stream,
      int recordCount,
      int lengthBytes,
      Compression compression,
      long producerId,
      short epoch,
      int baseSequence) {}

  private record WindowEntry(int baseSequence, long baseOffset, long baseStreamVersion) {}

  private static final class Session {
    final long producerId;
    short epoch;
    int lastSequence = -1;
    final ArrayDeque<WindowEntry> window = new ArrayDeque<>();

    Session(long producerId) {
      this.producerId = producerId;
    }
  }

  private final NioEventLoopGroup group;
  private final Channel server;
  private final boolean keepRecords;
  private final int maxFrameBytes;
  private final int maxBatchBytes;

  // ---- state, event-loop thread only ----
  private final List<StoredRecord> records = new ArrayList<>();
  private final List<StoredBatch> batches = new ArrayList<>();
  private final Map<String, Long> streamVersions = new HashMap<>();
  private final Map<String, Long> namedProducers = new HashMap<>();
  private final Map<Long, Session> sessions = new HashMap<>();
  private final List<Connection> connections = new ArrayList<>();
  private final RecordCursor cursor = new RecordCursor(64 << 20);
  private final RecordBatch view = new RecordBatch();
  private long nextOffset;
  private long nextProducerId = 1000;
  private boolean holding;

  // ---- counters and faults, any thread ----
  private final AtomicInteger produceRequests = new AtomicInteger();
  private final AtomicInteger initRequests = new AtomicInteger();
  private final AtomicInteger connectionCount = new AtomicInteger();
  private final AtomicLong storedRecords = new AtomicLong();
  private final Map<Integer, Boolean> dropAndClose = new ConcurrentHashMap<>();
  private final Map<Integer, Boolean> swallow = new ConcurrentHashMap<>();
  private final Map<Integer, ErrorCode> failRequest = new ConcurrentHashMap<>();
  private final Map<Integer, byte[]> garbage = new ConcurrentHashMap<>();
  private volatile ErrorCode helloError;
  private volatile long responseDelayMs;

  private FakeBroker(boolean keepRecords, int maxFrameBytes, int maxBatchBytes) {
    this.keepRecords = keepRecords;
    this.maxFrameBytes = maxFrameBytes;
    this.maxBatchBytes = maxBatchBytes;
    this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("fake-broker", true));
    this.server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    Connection c = new Connection();
                    connections.add(c);
                    connectionCount.incrementAndGet();
                    ch.pipeline().addLast(new FrameDecoder(FakeBroker.this.maxFrameBytes), c);
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
  }

  static FakeBroker start() {
    return new FakeBroker(true, Frame.DEFAULT_MAX_FRAME_BYTES, 1 << 20);
  }

  /** A fake that counts records without keeping them (for throughput runs). */
  static FakeBroker startCountingOnly() {
    return new FakeBroker(false, Frame.DEFAULT_MAX_FRAME_BYTES, 1 << 20);
  }

  static FakeBroker start(int maxFrameBytes, int maxBatchBytes) {
    return new FakeBroker(true, maxFrameBytes, maxBatchBytes);
  }

  String address() {
    return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
  }

  // ---------------------------------------------------------------- faults

  /** Stores PRODUCE request {@code n} but drops its response and closes the connection. */
  FakeBroker dropResponseAndClose(int n) {
    dropAndClose.put(n, true);
    return this;
  }

  /**
   * Never answers PRODUCE request {@code n} (it is stored) nor anything after it on that
   * connection, which stays open: a hung broker.
   */
  FakeBroker swallowResponse(int n) {
    swallow.put(n, true);
    return this;
  }

  /** Answers {@code code} for every batch of PRODUCE request {@code n}, storing nothing. */
  FakeBroker failRequest(int n, ErrorCode code) {
    failRequest.put(n, code);
    return this;
  }

  /** Answers PRODUCE request {@code n} with these raw bytes instead of its response. */
  FakeBroker answerWithBytes(int n, byte[] bytes) {
    garbage.put(n, bytes);
    return this;
  }

  FakeBroker rejectHello(ErrorCode code) {
    helloError = code;
    return this;
  }

  FakeBroker responseDelayMs(long delayMs) {
    responseDelayMs = delayMs;
    return this;
  }

  /** Holds every response from now on until {@link #releaseResponses}. */
  void holdResponses() {
    onLoop(
        () -> {
          holding = true;
          return null;
        });
  }

  void releaseResponses() {
    onLoop(
        () -> {
          holding = false;
          for (Connection c : connections) {
            c.releaseHeld();
          }
          return null;
        });
  }

  // ---------------------------------------------------------------- reading the state

  int produceRequests() {
    return produceRequests.get();
  }

  /** Connections accepted so far. */
  int connectionCount() {
    return connectionCount.get();
  }

  int initRequests() {
    return initRequests.get();
  }

  long storedRecordCount() {
    return storedRecords.get();
  }

  List<StoredRecord> records() {
    return onLoop(() -> List.copyOf(records));
  }

  List<StoredBatch> batches() {
    return onLoop(() -> List.copyOf(batches));
  }

  /** The current epoch of a named producer, or -1. */
  short epochOf(String producerName) {
    return onLoop(
        () -> {
          Long id = namedProducers.get(producerName);
          return id == null ? (short) -1 : sessions.get(id).epoch;
        });
  }

  private <T> T onLoop(Callable<T> task) {
    try {
      return group.next().submit(task).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
  }

  // ---------------------------------------------------------------- the protocol

  private Messages.InitProducerResponse initProducer(String name) {
    initRequests.incrementAndGet();
    Session s;
    if (name.isEmpty()) {
      s = new Session(nextProducerId++);
      sessions.put(s.producerId, s);
    } else {
      Long id = namedProducers.get(name);
      if (id == null) {
        s = new Session(nextProducerId++);
        sessions.put(s.producerId, s);
        namedProducers.put(name, s.producerId);
      } else {
        s = sessions.get(id);
        s.epoch++;
        s.lastSequence = -1;
        s.window.clear();
      }
    }
    return new Messages.InitProducerResponse(ErrorCode.NONE, s.producerId, s.epoch);
  }

  /** Decides one batch: stores it or not, and returns what to answer. */
  private long[] produceBatch(ByteBuffer nio, int offset) {
    RecordBatch b = view.wrap(nio, offset);
    b.validatePayload();
    if (keepRecords) {
      cursor.validate(b);
    }
    String stream = b.streamName();
    if (stream.startsWith("poison")) {
      return answer(ErrorCode.INVALID_BATCH, -1, -1);
    }
    long producerId = b.producerId();
    Session s = null;
    if (producerId != RecordBatch.NO_PRODUCER_ID) {
      s = sessions.get(producerId);
      if (s == null) {
        return answer(ErrorCode.UNKNOWN_PRODUCER, -1, -1);
      }
      if (b.producerEpoch() < s.epoch) {
        return answer(ErrorCode.PRODUCER_FENCED, -1, -1);
      }
      if (b.producerEpoch() > s.epoch) {
        return answer(ErrorCode.UNKNOWN_PRODUCER, -1, -1);
      }
      int base = b.baseSequence();
      if (base <= s.lastSequence) {
        for (WindowEntry e : s.window) {
          if (e.baseSequence() == base) {
            return answer(ErrorCode.NONE, e.baseOffset(), e.baseStreamVersion());
          }
        }
        return answer(ErrorCode.OUT_OF_ORDER_SEQUENCE, -1, -1);
      }
      if (base != s.lastSequence + 1) {
        return answer(ErrorCode.OUT_OF_ORDER_SEQUENCE, -1, -1);
      }
    }
    long baseOffset = nextOffset;
    long baseVersion = streamVersions.getOrDefault(stream, 0L);
    int count = b.recordCount();
    nextOffset += count;
    streamVersions.put(stream, baseVersion + count);
    storedRecords.addAndGet(count);
    if (s != null) {
      s.lastSequence = b.baseSequence() + count - 1;
      s.window.addLast(new WindowEntry(b.baseSequence(), baseOffset, baseVersion));
      if (s.window.size() > WINDOW_BATCHES) {
        s.window.removeFirst();
      }
    }
    if (keepRecords) {
      batches.add(
          new StoredBatch(
              baseOffset,
              stream,
              count,
              b.length(),
              b.compression(),
              producerId,
              b.producerEpoch(),
              b.baseSequence()));
      b.stamp(baseOffset, 1, baseVersion, -1, 0);
      cursor.reset(b);
      while (cursor.next()) {
        records.add(
            new StoredRecord(
                cursor.offset(),
                stream,
                cursor.streamVersion(),
                cursor.key(),
                cursor.value(),
                cursor.headers(),
                baseOffset));
      }
    }
    return answer(ErrorCode.NONE, baseOffset, baseVersion);
  }

  private static long[] answer(ErrorCode code, long baseOffset, long baseStreamVersion) {
    return new long[] {code.code(), baseOffset, baseStreamVersion};
  }

  /** One client connection; runs on the event-loop thread. */
  private final class Connection extends ChannelInboundHandlerAdapter {
    private boolean helloDone;
    private boolean mute;
    private ChannelHandlerContext ctx;
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      connections.remove(this);
      for (ByteBuf b : held) {
        b.release();
      }
      held.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf frame = (ByteBuf) msg;
      long id = Frame.correlationId(frame);
      try {
        onFrame(frame);
      } catch (OrdoException e) {
        ByteBuf out = ctx.alloc().buffer();
        Messages.writeError(out, id, e.errorCode(), e.getMessage());
        ctx.writeAndFlush(out);
        ctx.close();
      } finally {
        frame.release();
      }
    }

    private void onFrame(ByteBuf frame) {
      long id = Frame.correlationId(frame);
      MessageType type = MessageType.forCode(Frame.type(frame));
      Frame.skipHeader(frame);
      if (!helloDone) {
        if (type != MessageType.HELLO) {
          throw new OrdoException(ErrorCode.HANDSHAKE_REQUIRED, "say HELLO first");
        }
        Messages.Hello hello = Messages.readHello(frame);
        ErrorCode refuse = helloError;
        if (refuse != null) {
          throw new OrdoException(refuse, "refused by the test");
        }
        short version = Messages.negotiate(hello);
        helloDone = true;
        ByteBuf out = ctx.alloc().buffer();
        Messages.writeHelloOk(
            out, id, new Messages.HelloOk(version, 1, maxFrameBytes, maxBatchBytes));
        respond(out);
        return;
      }
      if (type == MessageType.INIT_PRODUCER) {
        ByteBuf out = ctx.alloc().buffer();
        Messages.writeInitProducerResponse(out, id, initProducer(Messages.readInitProducer(frame)));
        respond(out);
      } else if (type == MessageType.PRODUCE) {
        onProduce(id, frame);
      } else {
        throw new OrdoException(ErrorCode.UNKNOWN_REQUEST, "type " + type);
      }
    }

    private void onProduce(long id, ByteBuf body) {
      int n = produceRequests.incrementAndGet();
      int count = body.readIntLE();
      ErrorCode failAll = failRequest.remove(n);
      ByteBuffer nio = body.nioBuffer();
      List<long[]> answers = new ArrayList<>();
      int pos = 0;
      for (int i = 0; i < count; i++) {
        int length =
            RecordBatch.checkedLength(nio, pos, nio.limit() - pos, RecordBatch.MAX_BATCH_LENGTH);
        answers.add(
            failAll != null
                ? answer(failAll, -1, -1)
                : produceBatch(nio.slice(pos, length).order(ByteOrder.LITTLE_ENDIAN), 0));
        pos += length;
      }
      ByteBuf out = ctx.alloc().buffer();
      int start = Messages.beginProduceResponse(out, id, count);
      for (long[] a : answers) {
        Messages.writeBatchResult(out, ErrorCode.forCode((int) a[0]), a[1], a[2]);
      }
      Frame.end(out, start);
      if (dropAndClose.remove(n) != null) {
        out.release();
        ctx.close();
        return;
      }
      if (swallow.remove(n) != null) {
        mute = true;
      }
      byte[] raw = garbage.remove(n);
      if (raw != null) {
        out.release();
        respond(Unpooled.wrappedBuffer(raw));
        return;
      }
      respond(out);
    }

    private void respond(ByteBuf out) {
      if (mute) {
        out.release();
        return;
      }
      if (holding) {
        held.addLast(out);
        return;
      }
      long delayMs = responseDelayMs;
      if (delayMs > 0) {
        ctx.executor().schedule(() -> ctx.writeAndFlush(out), delayMs, TimeUnit.MILLISECONDS);
      } else {
        ctx.writeAndFlush(out);
      }
    }

    void releaseHeld() {
      ByteBuf b;
      while ((b = held.pollFirst()) != null) {
        ctx.write(b);
      }
      ctx.flush();
    }
  }
}
