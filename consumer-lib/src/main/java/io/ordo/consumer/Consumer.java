package io.ordo.consumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ordo.protocol.CorruptBatchException;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordCursor;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.MessageType;
import io.ordo.protocol.wire.Messages;
import io.ordo.protocol.wire.ReadMessages;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ordo consumer: one subscription whose records are pushed by the broker and handed to a {@link
 * RecordHandler} in log order. With a group, one member per (group, subscription) is active and the
 * others stand by; the active member resumes right after the group's committed offset, and commits
 * (per {@link CommitPolicy}) carry its generation so a stale member's commit is refused. Every
 * batch's CRCs are checked ({@link RecordBatch#ensureValid}) before any of its records is handed
 * over; a corrupt batch stops the consumer with {@link ErrorCode#CORRUPT_BATCH}.
 *
 * <p>On a lost connection the consumer reconnects (backing off) and resumes: in a group from the
 * committed offset, without one right after the last record handled. Errors that retrying cannot
 * fix (an offset behind retention, a corrupt batch, a handler exception) stop it and go to {@link
 * ConsumerListener#onError}; for an offset behind retention {@link Builder#offsetReset} may say to
 * go on from the earliest or the latest record instead (logged at WARN, the gap skipped).
 *
 * <p>A hung handler: in a group, when one handler call runs longer than {@link
 * Builder#maxHandlerMs} (default 5 minutes, like Kafka's {@code max.poll.interval.ms}), the member
 * gives up its membership although its heartbeats would keep it alive: it drops its connection, so
 * the broker makes the next standby active from the group's committed offset, and it tells the
 * application ({@link ConsumerListener#onHandlerTimeout}, and a WARN log). Records it was holding
 * are delivered to the new active member instead. When the hung call returns, its commits are
 * refused ({@code STALE_GENERATION}), no further record is handed to this member from the old
 * generation, and it rejoins the group as a standby.
 *
 * <p>Threads: one consumer thread runs the connection and the handler; one timer thread sends
 * heartbeats and due commits. {@link #commit} and {@link #close} may be called from any thread.
 */
public final class Consumer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Consumer.class);

  private final ConsumerConfig config;
  private final ScheduledExecutorService timer;
  private final AtomicLong correlationIds = new AtomicLong(1);
  private final ConcurrentHashMap<Long, CompletableFuture<Void>> pendingCommits =
      new ConcurrentHashMap<>();
  private final RecordBatch batch = new RecordBatch();
  private final RecordCursor cursor;
  private final HandlerWatch handlerWatch;

  private StreamSelector selector;
  private StartPosition start;
  private RecordHandler handler;
  private ConsumerListener listener;
  private Thread thread;

  private volatile BrokerSocket socket;
  private volatile boolean closing;
  private volatile boolean abrupt;
  private volatile OrdoException failure;
  private volatile int generation = -1;

  /** Next offset to hand to the handler (everything below was handled). -1 before any. */
  private volatile long position = -1;

  /** Set when the position fell behind the log start and {@link OffsetReset} says where to go. */
  private StartPosition resetTo;

  private volatile long lastCommittedPosition = -1;
  private volatile long lastCommitSentNs;
  private int serverIndex;

  private Consumer(ConsumerConfig config) {
    this.config = config;
    this.cursor = new RecordCursor(Math.max(config.maxBatchBytes(), 1024 * 1024) * 4);
    this.handlerWatch = new HandlerWatch(config.maxHandlerMs());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ordo-consumer-timer-" + config.clientId());
              t.setDaemon(true);
              return t;
            });
  }

  public static Builder builder() {
    return new Builder();
  }

  public ConsumerConfig config() {
    return config;
  }

  /**
   * Starts consuming {@code selector}: the handler is called on the consumer's thread. Only one
   * subscription per consumer.
   */
  public synchronized void subscribe(
      StreamSelector selector, StartPosition start, RecordHandler handler) {
    subscribe(selector, start, handler, new ConsumerListener() {});
  }

  public synchronized void subscribe(
      StreamSelector selector,
      StartPosition start,
      RecordHandler handler,
      ConsumerListener listener) {
    if (thread != null) {
      throw new IllegalStateException("a consumer has one subscription; create another consumer");
    }
    this.selector = Objects.requireNonNull(selector, "selector");
    this.start = Objects.requireNonNull(start, "start");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.listener = Objects.requireNonNull(listener, "listener");
    long heartbeatMs = Math.max(10, config.sessionTimeoutMs() / 4);
    timer.scheduleAtFixedRate(this::tick, heartbeatMs, heartbeatMs, TimeUnit.MILLISECONDS);
    if (config.group() != null) {
      long checkMs = Math.max(10, Math.min(config.maxHandlerMs() / 4, 1_000));
      timer.scheduleAtFixedRate(this::checkHandler, checkMs, checkMs, TimeUnit.MILLISECONDS);
    }
    thread = new Thread(this::run, "ordo-consumer-" + config.clientId());
    thread.setDaemon(true);
    thread.start();
  }

  /** The next offset the handler will see (everything below was handled), or -1. */
  public long position() {
    return position;
  }

  /** The current generation while active in a group; -1 otherwise. */
  public int generation() {
    return generation;
  }

  /** The error that stopped the consumer, or null. */
  public OrdoException failure() {
    return failure;
  }

  /**
   * Commits the current position for the group; completes once the broker has it durably and {@link
   * ConsumerListener#onCommitted} has been called. Completes exceptionally with STALE_GENERATION
   * when this member is no longer the active one.
   */
  public CompletableFuture<Void> commit() {
    return commit(position);
  }

  /**
   * Commits {@code nextOffset} (the next offset to consume; everything below counts as consumed)
   * for the group, e.g. from inside the handler. Completes once the broker has it durably.
   */
  public CompletableFuture<Void> commit(long nextOffset) {
    if (config.group() == null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("commit needs a consumer group"));
    }
    long pos = nextOffset;
    int gen = generation;
    BrokerSocket s = socket;
    if (pos < 0 || gen < 0 || s == null) {
      return CompletableFuture.failedFuture(
          new OrdoException(
              ErrorCode.STALE_GENERATION,
              "this member of group "
                  + config.group()
                  + " is not the active one (not yet active, reconnecting, or it gave up its"
                  + " membership after a handler call ran longer than maxHandlerMs)"));
    }
    return sendCommit(s, gen, pos);
  }

  private CompletableFuture<Void> sendCommit(BrokerSocket s, int gen, long pos) {
    long id = correlationIds.getAndIncrement();
    CompletableFuture<Void> f = new CompletableFuture<>();
    pendingCommits.put(id, f);
    ByteBuf b = Unpooled.buffer(64);
    ReadMessages.writeCommitOffset(
        b, id, new ReadMessages.CommitOffset(config.group(), selector.key(), gen, pos));
    lastCommitSentNs = System.nanoTime();
    try {
      s.send(b);
    } catch (IOException e) {
      pendingCommits.remove(id);
      f.completeExceptionally(e);
    }
    // The caller's future completes after the listener has heard of the commit: a caller that
    // waits on it then sees onCommitted done (the raw future's waiters could run first).
    return f.thenRun(
        () -> {
          lastCommittedPosition = Math.max(lastCommittedPosition, pos);
          try {
            listener.onCommitted(pos);
          } catch (RuntimeException e) {
            LOG.warn("the consumer listener's onCommitted({}) threw; the commit stands", pos, e);
          }
        });
  }

  /** Timer thread: heartbeat, and a due automatic commit. */
  private void tick() {
    BrokerSocket s = socket;
    if (s == null || closing) {
      return;
    }
    try {
      ByteBuf b = Unpooled.buffer(16);
      ReadMessages.writeHeartbeat(b);
      s.send(b);
      maybeAutoCommit(s, false);
    } catch (IOException e) {
      // the consumer thread sees the broken connection and reconnects
    }
  }

  private void maybeAutoCommit(BrokerSocket s, boolean force) {
    if (config.group() == null || config.commitPolicy() != CommitPolicy.AFTER_HANDLER) {
      return;
    }
    long pos = position;
    int gen = generation;
    if (gen < 0 || pos < 0 || pos <= lastCommittedPosition) {
      return;
    }
    long sinceMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastCommitSentNs);
    if (force || sinceMs >= config.commitIntervalMs()) {
      sendCommit(s, gen, pos);
    }
  }

  /**
   * Timer thread: when the handler call in progress has run past maxHandlerMs, give up this
   * member's generation. Dropping the connection is how a member leaves: the broker makes the next
   * standby active at once. The consumer thread notices when the handler returns.
   */
  private void checkHandler() {
    long nowNs = System.nanoTime();
    long offset = handlerWatch.overdueOffset(nowNs);
    int gen = generation;
    BrokerSocket s = socket;
    if (offset < 0 || gen < 0 || s == null || closing) {
      return;
    }
    generation = -1;
    s.close();
    failPendingCommits("this member gave up its membership");
    long elapsedMs = handlerWatch.elapsedMs(nowNs);
    LOG.warn(
        "consumer {}: the handler has run {} ms on offset {}, longer than maxHandlerMs {}: gave"
            + " up generation {} of group {}; a standby takes over from the committed offset and"
            + " this member rejoins when the handler returns",
        config.clientId(),
        elapsedMs,
        offset,
        config.maxHandlerMs(),
        gen,
        config.group());
    try {
      listener.onHandlerTimeout(gen, offset, elapsedMs);
    } catch (RuntimeException e) {
      LOG.warn("consumer {}: onHandlerTimeout threw", config.clientId(), e);
    }
  }

  // ---- the consumer thread ----

  private void run() {
    long backoffMs = config.reconnectBackoffMs();
    while (!closing) {
      try {
        session();
        backoffMs = config.reconnectBackoffMs();
      } catch (OrdoException e) {
        if (closing) {
          break;
        }
        if (e.errorCode() == ErrorCode.OFFSET_OUT_OF_RANGE
            && config.offsetReset().start() != null) {
          resetTo = config.offsetReset().start();
          LOG.warn(
              "consumer {}: {}; going on from the {} position as offsetReset says, the records in"
                  + " between are skipped",
              config.clientId(),
              e.getMessage(),
              config.offsetReset());
          continue;
        }
        if (!e.errorCode().retriable() && e.errorCode() != ErrorCode.STALE_GENERATION) {
          failure = e;
          LOG.error("consumer {} stopped: {}", config.clientId(), e.getMessage());
          listener.onError(e);
          break;
        }
        LOG.info("consumer {}: {}; reconnecting", config.clientId(), e.getMessage());
      } catch (IOException e) {
        if (closing) {
          break;
        }
        LOG.info(
            "consumer {}: connection lost ({}); reconnecting", config.clientId(), e.toString());
      } catch (MembershipLost e) {
        LOG.info(
            "consumer {}: the handler returned after this member gave up its generation;"
                + " rejoining group {}",
            config.clientId(),
            config.group());
      } catch (HandlerFailure e) {
        failure = new OrdoException(ErrorCode.UNKNOWN, "the record handler failed", e.getCause());
        LOG.error("consumer {} stopped: handler failed", config.clientId(), e.getCause());
        listener.onError(failure);
        break;
      } finally {
        disconnect();
      }
      if (!closing) {
        sleepQuietly(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 2_000);
      }
    }
  }

  private void disconnect() {
    generation = -1;
    BrokerSocket s = socket;
    socket = null;
    if (s != null) {
      s.close();
    }
    failPendingCommits("connection lost before the answer");
  }

  private void failPendingCommits(String why) {
    for (Long id : pendingCommits.keySet()) {
      CompletableFuture<Void> f = pendingCommits.remove(id);
      if (f != null) {
        f.completeExceptionally(new OrdoException(ErrorCode.BROKER_UNAVAILABLE, why));
      }
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One connection's life: connect, join, subscribe, deliver until it breaks. */
  private void session() throws IOException {
    InetSocketAddress address =
        config.bootstrapServers().get(serverIndex++ % config.bootstrapServers().size());
    BrokerSocket s = new BrokerSocket(address, config.connectTimeoutMs(), 0);
    socket = s;
    if (closing) {
      return;
    }
    s.handshake(config.clientId(), config.maxBatchBytes());
    StartPosition from = start;
    if (position >= 0) {
      from = StartPosition.offset(position);
    }
    int gen = -1;
    if (config.group() != null) {
      long id = correlationIds.getAndIncrement();
      ByteBuf b = Unpooled.buffer(128);
      ReadMessages.writeJoinGroup(
          b,
          id,
          new ReadMessages.JoinGroup(
              config.group(), selector.key(), config.memberId(), config.sessionTimeoutMs()));
      s.send(b);
      ReadMessages.JoinGroupResponse joined = awaitJoin(s);
      gen = joined.generation();
      from = joined.committedOffset() >= 0 ? StartPosition.offset(joined.committedOffset()) : start;
    }
    if (resetTo != null) {
      from = resetTo;
    }
    long id = correlationIds.getAndIncrement();
    ByteBuf b = Unpooled.buffer(128);
    ReadMessages.writeSubscribe(
        b,
        id,
        new ReadMessages.Subscribe(
            selector.kind(),
            selector.filter(),
            from.kind(),
            from.value(),
            config.creditBytes(),
            config.group() == null ? "" : config.group(),
            gen));
    s.send(b);
    long resume = awaitSubscribed(s);
    if (resetTo != null) {
      LOG.info("consumer {}: reset to offset {}", config.clientId(), resume);
      resetTo = null;
    }
    position = resume;
    lastCommittedPosition = config.group() != null ? Math.max(-1, resume) : -1;
    generation = gen;
    listener.onActive(gen, resume);
    deliver(s, resume);
  }

  private ReadMessages.JoinGroupResponse awaitJoin(BrokerSocket s) throws IOException {
    while (true) {
      ByteBuf f = s.readFrame();
      int type = Frame.type(f);
      Frame.skipHeader(f);
      if (type == MessageType.JOIN_GROUP_RESPONSE.code()) {
        ReadMessages.JoinGroupResponse r = ReadMessages.readJoinGroupResponse(f);
        if (r.error() != ErrorCode.NONE) {
          throw new OrdoException(r.error(), "joining group " + config.group() + " failed");
        }
        return r;
      }
      onOtherFrame(type, f);
    }
  }

  private long awaitSubscribed(BrokerSocket s) throws IOException {
    while (true) {
      ByteBuf f = s.readFrame();
      int type = Frame.type(f);
      Frame.skipHeader(f);
      if (type == MessageType.SUBSCRIBE_RESPONSE.code()) {
        ReadMessages.SubscribeResponse r = ReadMessages.readSubscribeResponse(f);
        if (r.error() != ErrorCode.NONE) {
          throw new OrdoException(r.error(), "subscribing to " + selector + " failed");
        }
        return r.startOffset();
      }
      onOtherFrame(type, f);
    }
  }

  /** Frames that may arrive at any time: errors and commit answers. */
  private void onOtherFrame(int type, ByteBuf f) {
    long correlationId = f.getLongLE(Frame.CORRELATION_ID_OFFSET);
    if (type == MessageType.ERROR.code()) {
      Messages.Error e = Messages.readError(f);
      CompletableFuture<Void> c = pendingCommits.remove(correlationId);
      if (c != null) {
        c.completeExceptionally(new OrdoException(e.code(), e.message()));
        return;
      }
      throw new OrdoException(e.code(), e.message());
    }
    if (type == MessageType.COMMIT_OFFSET_RESPONSE.code()) {
      ErrorCode code = ReadMessages.readCommitOffsetResponse(f);
      CompletableFuture<Void> c = pendingCommits.remove(correlationId);
      if (c == null) {
        return;
      }
      if (code == ErrorCode.NONE) {
        c.complete(null);
      } else {
        c.completeExceptionally(new OrdoException(code, "commit refused"));
        if (code == ErrorCode.STALE_GENERATION) {
          throw new OrdoException(code, "this member was fenced; rejoining");
        }
      }
      return;
    }
    throw new OrdoException(ErrorCode.MALFORMED_FRAME, "unexpected frame type " + type);
  }

  private void deliver(BrokerSocket s, long resume) throws IOException {
    long skipBelow = resume;
    while (!closing) {
      ByteBuf f = s.readFrame();
      int type = Frame.type(f);
      Frame.skipHeader(f);
      if (type != MessageType.DELIVERY.code()) {
        onOtherFrame(type, f);
        continue;
      }
      ReadMessages.readDeliveryNextOffset(f);
      int bytes = f.readableBytes();
      ByteBuffer body = f.nioBuffer(f.readerIndex(), bytes).order(ByteOrder.LITTLE_ENDIAN);
      int pos = 0;
      while (pos < bytes) {
        int length = checkBatch(body, pos, bytes - pos);
        handleBatch(skipBelow);
        pos += length;
      }
      if (closing) {
        return;
      }
      ByteBuf credit = Unpooled.buffer(32);
      ReadMessages.writeCredit(credit, Math.max(1, bytes));
      s.send(credit);
      maybeAutoCommit(s, false);
    }
  }

  /**
   * Wraps the batch at {@code pos} and checks its length and both CRC32Cs; returns its length. Any
   * damage, a wrong length included, is {@code CORRUPT_BATCH}: none of its records is handed over.
   */
  private int checkBatch(ByteBuffer body, int pos, int available) {
    try {
      int length = RecordBatch.checkedLength(body, pos, available, RecordBatch.MAX_BATCH_LENGTH);
      batch.wrap(body.slice(pos, length).order(ByteOrder.LITTLE_ENDIAN), 0);
      batch.ensureValid();
      return length;
    } catch (OrdoException e) {
      throw new CorruptBatchException(
          "a batch delivered while the consumer was at offset "
              + position
              + " failed its check ("
              + e.detail()
              + "); none of its records was handed over");
    }
  }

  private void handleBatch(long skipBelow) {
    String stream = batch.streamName();
    cursor.reset(batch);
    while (cursor.next()) {
      long offset = cursor.offset();
      if (offset < skipBelow || offset < position) {
        continue;
      }
      ConsumerRecord r =
          new ConsumerRecord(
              offset,
              stream,
              cursor.streamVersion(),
              cursor.key(),
              cursor.value(),
              cursor.headers(),
              cursor.timestamp());
      boolean watched = config.group() != null; // only a group member can give up its place
      if (watched) {
        handlerWatch.begin(offset, System.nanoTime());
      }
      try {
        handler.handle(r);
      } catch (Exception e) {
        throw new HandlerFailure(e);
      } finally {
        if (watched) {
          handlerWatch.end();
        }
      }
      if (config.group() != null && generation < 0) {
        throw new MembershipLost();
      }
      position = offset + 1;
      if (abrupt) {
        return;
      }
    }
  }

  /**
   * The handler returned after the timer gave up this member's generation: the rest of what was
   * delivered under it goes to the new active member, not to this one.
   */
  private static final class MembershipLost extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MembershipLost() {
      super("membership given up", null, false, false);
    }
  }

  /** A handler exception on its way out of the delivery loop. */
  private static final class HandlerFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HandlerFailure(Exception cause) {
      super(cause);
    }
  }

  /**
   * Stops: commits the position (policy {@link CommitPolicy#AFTER_HANDLER}, waiting up to 5 s
   * unless called from the handler), leaves the group (a standby takes over) and stops the threads.
   */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    BrokerSocket s = socket;
    if (s != null
        && !abrupt
        && config.group() != null
        && config.commitPolicy() == CommitPolicy.AFTER_HANDLER
        && Thread.currentThread() != thread) {
      long pos = position;
      int gen = generation;
      if (gen >= 0 && pos > lastCommittedPosition) {
        try {
          sendCommit(s, gen, pos).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
          LOG.warn("final commit of consumer {} failed: {}", config.clientId(), e.toString());
        }
      }
    }
    closing = true;
    timer.shutdownNow();
    BrokerSocket last = socket;
    if (last != null) {
      last.close();
    }
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Drops the connection without a final commit, as a crashed member would (the broker sees the
   * connection close); for failover tests and tools.
   */
  public void closeAbruptly() {
    abrupt = true;
    close();
  }

  /** Builds a {@link Consumer}. */
  public static final class Builder {
    private final List<InetSocketAddress> servers = new ArrayList<>();
    private String clientId = "ordo-consumer-" + UUID.randomUUID().toString().substring(0, 8);
    private String group;
    private String memberId;
    private int sessionTimeoutMs = 10_000;
    private long creditBytes = 4L * 1024 * 1024;
    private CommitPolicy commitPolicy = CommitPolicy.AFTER_HANDLER;
    private long commitIntervalMs = 200;
    private long reconnectBackoffMs = 50;
    private int connectTimeoutMs = 5_000;
    private int maxBatchBytes = 8 * 1024 * 1024;
    private long maxHandlerMs = 300_000;
    private OffsetReset offsetReset = OffsetReset.NONE;

    /** Comma-separated host:port list. */
    public Builder bootstrapServers(String list) {
      for (String hp : list.split(",")) {
        String t = hp.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException("bootstrap server '" + t + "' is not host:port");
        }
        servers.add(
            InetSocketAddress.createUnresolved(
                t.substring(0, colon), Integer.parseInt(t.substring(colon + 1))));
      }
      return this;
    }

    public Builder clientId(String clientId) {
      this.clientId = clientId;
      return this;
    }

    public Builder group(String group) {
      this.group = group;
      return this;
    }

    public Builder memberId(String memberId) {
      this.memberId = memberId;
      return this;
    }

    public Builder sessionTimeoutMs(int ms) {
      this.sessionTimeoutMs = ms;
      return this;
    }

    public Builder creditBytes(long bytes) {
      this.creditBytes = bytes;
      return this;
    }

    public Builder commitPolicy(CommitPolicy policy) {
      this.commitPolicy = policy;
      return this;
    }

    public Builder commitIntervalMs(long ms) {
      this.commitIntervalMs = ms;
      return this;
    }

    public Builder reconnectBackoffMs(long ms) {
      this.reconnectBackoffMs = ms;
      return this;
    }

    public Builder maxBatchBytes(int bytes) {
      this.maxBatchBytes = bytes;
      return this;
    }

    /**
     * In a group, the longest one handler call may run (default 300000, 5 minutes; 10 ms to about
     * 24.8 days). Past it the member gives up its membership so that a standby takes over from the
     * committed offset, as Kafka's {@code max.poll.interval.ms} does; its heartbeats alone would
     * keep a hung member active forever. See {@link Consumer} for what happens when the call
     * returns. No effect without a group.
     */
    public Builder maxHandlerMs(long ms) {
      this.maxHandlerMs = ms;
      return this;
    }

    /**
     * What to do when the position to resume from (the group's committed offset, the start offset,
     * or where a consumer that fell behind had got to) has been deleted by retention (default
     * {@link OffsetReset#NONE}: stop with {@code OFFSET_OUT_OF_RANGE}).
     */
    public Builder offsetReset(OffsetReset reset) {
      this.offsetReset = Objects.requireNonNull(reset, "offsetReset");
      return this;
    }

    public Consumer build() {
      if (servers.isEmpty()) {
        throw new IllegalArgumentException("bootstrapServers: give at least one host:port");
      }
      if (group != null && group.isEmpty()) {
        throw new IllegalArgumentException("group must not be empty");
      }
      if (sessionTimeoutMs < 100 || sessionTimeoutMs > 300_000) {
        throw new IllegalArgumentException("sessionTimeoutMs must be 100..300000");
      }
      if (creditBytes < 1024) {
        throw new IllegalArgumentException("creditBytes must be at least 1024");
      }
      if (maxHandlerMs < 10 || maxHandlerMs > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("maxHandlerMs must be 10.." + Integer.MAX_VALUE);
      }
      if (commitIntervalMs < 0 || reconnectBackoffMs < 1) {
        throw new IllegalArgumentException("commitIntervalMs/reconnectBackoffMs out of range");
      }
      List<InetSocketAddress> resolved = new ArrayList<>();
      for (InetSocketAddress a : servers) {
        resolved.add(new InetSocketAddress(a.getHostString(), a.getPort()));
      }
      return new Consumer(
          new ConsumerConfig(
              List.copyOf(resolved),
              clientId,
              group,
              memberId == null ? clientId : memberId,
              sessionTimeoutMs,
              creditBytes,
              commitPolicy,
              commitIntervalMs,
              reconnectBackoffMs,
              connectTimeoutMs,
              maxBatchBytes,
              maxHandlerMs,
              offsetReset));
    }
  }
}
