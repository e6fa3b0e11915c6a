package io.ordo.producer;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.wire.MessageType;
import io.ordo.protocol.wire.Messages;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jctools.queues.MessagePassingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's I/O side. It takes records from the record queue into batches, encodes and sends
 * sealed batches while fewer than {@code maxInFlightBatches} are unacknowledged, matches the
 * broker's answers to them, resends after connection loss or a retriable error with the same
 * sequences, starts a new producer session after a non-retriable failure (the old one has a hole),
 * fails what waited longer than the delivery timeout, and answers flushes.
 *
 * <p>Ordering: batches get their sequence when first encoded, in seal order, and {@link #unacked}
 * holds them in that order; a resend always resends all of them, in order. Every outcome reaches
 * the application through the {@link CallbackThread}, never on this thread.
 *
 * <p>Threading: every method runs on the producer's single event-loop thread.
 */
final class Sender implements BrokerConnection.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(Sender.class);

  /** Records taken from the queue per task before other work gets a turn. */
  private static final int DRAIN_BUDGET = 16 * 1024;

  private static final short NO_EPOCH = -1;
  private static final long CONNECT_WARNING_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

  private enum State {
    RUNNING,
    /** Fenced: every record fails, nothing is sent. */
    FAILED,
    CLOSED
  }

  private record FlushWaiter(long lastSerial, CompletableFuture<Void> done) {}

  private final ProducerConfig config;
  private final MessagePassingQueue<PendingRecord> queue;
  private final BufferMemory memory;
  private final CallbackThread callbacks;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final Runnable redrain;
  private final Consumer<OrdoException> onFatal;
  private final int sequenceLimit;
  private final long lingerNs;
  private final long deliveryTimeoutNs;
  private final long requestTimeoutNs;
  private final BatchAccumulator accumulator;
  private final BatchEncoder encoder;
  private final Backoff backoff;
  private final ArrayDeque<ProducerBatch> unacked = new ArrayDeque<>();
  private final ArrayDeque<FlushWaiter> flushWaiters = new ArrayDeque<>();

  private State state = State.RUNNING;
  private OrdoException stateError;
  private BrokerConnection connection;
  private boolean ready;
  private int serverIndex;
  private int maxFrameBytes;
  private long lastConnectWarningNs;
  private ScheduledFuture<?> reconnectTimer;
  private ScheduledFuture<?> lingerTimer;
  private long lingerTimerDeadlineNs = Long.MAX_VALUE;
  private ScheduledFuture<?> tickTimer;

  // ---- the producer session ----
  /** The session has a hole (or there is none yet): a new one must start before sending more. */
  private boolean needInit;

  /**
   * The session's sequence numbers are used up: nothing new is sent, and once every batch of the
   * session is acknowledged a new session starts. Until then its batches are resent as usual; they
   * may already be stored, so they must never move to another session.
   */
  private boolean rollPending;

  private boolean initInFlight;
  private long producerId = RecordBatch.NO_PRODUCER_ID;
  private short epoch = NO_EPOCH;
  private int nextSequence;

  /**
   * @param redrain asks for another drain task (when the budget ran out with records left)
   * @param onFatal told once when the producer is fenced
   * @param sequenceLimit highest sequence number a session may use before a new one is started
   */
  Sender(
      ProducerConfig config,
      MessagePassingQueue<PendingRecord> queue,
      BufferMemory memory,
      CallbackThread callbacks,
      EventLoop loop,
      Bootstrap bootstrap,
      ByteBufAllocator alloc,
      Runnable redrain,
      Consumer<OrdoException> onFatal,
      int sequenceLimit) {
    this.config = config;
    this.queue = queue;
    this.memory = memory;
    this.callbacks = callbacks;
    this.loop = loop;
    this.bootstrap = bootstrap;
    this.redrain = redrain;
    this.onFatal = onFatal;
    this.sequenceLimit = sequenceLimit;
    this.lingerNs = TimeUnit.MILLISECONDS.toNanos(config.lingerMs());
    this.deliveryTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.deliveryTimeoutMs());
    this.requestTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs());
    this.accumulator =
        new BatchAccumulator(config.batchSizeBytes(), lingerNs, config.crossStreamOrder());
    this.encoder =
        new BatchEncoder(config.batchSizeBytes(), config.compression(), config.zstdLevel(), alloc);
    this.backoff = new Backoff(config.retryBackoffMs(), config.retryBackoffMaxMs());
    this.needInit = config.idempotence();
  }

  // ---------------------------------------------------------------- tasks run by the producer

  void start() {
    long tickMs =
        Math.max(
            5, Math.min(100, Math.min(config.deliveryTimeoutMs(), config.requestTimeoutMs()) / 10));
    tickTimer = loop.scheduleAtFixedRate(this::onTick, tickMs, tickMs, TimeUnit.MILLISECONDS);
    connect();
  }

  /** Takes records from the queue into batches and sends what is ready. */
  void drain() {
    drain(false);
  }

  /**
   * Moves queued records into batches and sends what is due.
   *
   * @param lingered the drain was scheduled a linger time after the first record queued since the
   *     last drain, so those records have lingered already: their batches are due now
   */
  void drain(boolean lingered) {
    long nowNs = System.nanoTime();
    int n = drainQueue(lingered ? nowNs - lingerNs : nowNs, DRAIN_BUDGET);
    if (n == DRAIN_BUDGET) {
      redrain.run();
    }
    pump(nowNs);
  }

  /**
   * Seals every batch holding records sent before this call and completes {@code done} (on the
   * callback thread, after those records' futures) once all of them are resolved.
   */
  void flush(CompletableFuture<Void> done) {
    long nowNs = System.nanoTime();
    drainQueue(nowNs, Integer.MAX_VALUE);
    accumulator.sealAll();
    flushWaiters.addLast(new FlushWaiter(accumulator.lastSerial(), done));
    pump(nowNs);
  }

  /** Stops for good: fails everything still pending with {@code reason}. */
  void shutdown(OrdoException reason) {
    if (state == State.RUNNING) {
      stateError = reason;
    }
    state = State.CLOSED;
    cancel(tickTimer);
    cancel(lingerTimer);
    cancel(reconnectTimer);
    dropConnection(false);
    failPending(reason);
    drainQueue(System.nanoTime(), Integer.MAX_VALUE);
    checkFlushWaiters();
  }

  // ---------------------------------------------------------------- records in

  private int drainQueue(long nowNs, int budget) {
    int n = 0;
    PendingRecord r;
    while (n < budget && (r = queue.poll()) != null) {
      n++;
      if (state == State.RUNNING) {
        accumulator.append(r, nowNs);
      } else {
        reject(r, stateError);
      }
    }
    if (lingerNs == 0) {
      accumulator.sealAll();
    }
    return n;
  }

  private void reject(PendingRecord r, OrdoException e) {
    memory.release(r.memoryBytes);
    complete(() -> r.failed(e));
  }

  /**
   * Hands a completion (records' callbacks and futures, a flush's future) to the callback thread,
   * or runs it here with {@code callbacksOnIoThread}. Either way completions run in the order they
   * are handed over.
   */
  private void complete(Runnable completion) {
    if (!config.callbacksOnIoThread()) {
      callbacks.submit(completion);
      return;
    }
    try {
      completion.run();
    } catch (RuntimeException e) {
      LOG.error("a producer callback task failed", e);
    }
  }

  /** What every event ends with: send what can be sent, arm timers, answer flushes. */
  private void pump(long nowNs) {
    if (state == State.RUNNING) {
      sendSealed(nowNs);
      maybeStartInit(nowNs);
      armLinger(nowNs);
    }
    checkFlushWaiters();
  }

  // ---------------------------------------------------------------- batches out

  private boolean canProduce() {
    return connection != null && ready && !needInit && !initInFlight;
  }

  private void sendSealed(long nowNs) {
    if (!canProduce()) {
      return;
    }
    List<ProducerBatch> out = null;
    while (unacked.size() < config.maxInFlightBatches()) {
      ProducerBatch b = accumulator.peekSealed();
      if (b == null) {
        break;
      }
      if (encoder.firstRecordTooLarge(b)) {
        accumulator.pollSealed();
        ProducerBatch tooLarge = b.count == 1 ? b : b.splitHead(1);
        if (tooLarge != b) {
          accumulator.returnSealed(b);
        }
        resolve(
            tooLarge,
            new OrdoException(
                ErrorCode.BATCH_TOO_LARGE,
                "a record for stream '"
                    + b.stream
                    + "' does not fit in the broker's largest batch of "
                    + encoder.maxBatchBytes()
                    + " bytes"));
        continue;
      }
      if (rollPending) {
        break;
      }
      if (config.idempotence()
          && nextSequence > 0
          && (long) nextSequence + b.count - 1 > sequenceLimit) {
        LOG.info("producer {} used up its sequence numbers; starting a new session", producerId);
        rollPending = true;
        break;
      }
      accumulator.pollSealed();
      int sequence = config.idempotence() ? nextSequence : RecordBatch.NO_SEQUENCE;
      ProducerBatch encoded = encoder.encode(b, producerId, epoch, sequence);
      if (encoded != b) {
        accumulator.returnSealed(b);
      }
      if (config.idempotence()) {
        nextSequence += encoded.count;
      }
      unacked.addLast(encoded);
      if (out == null) {
        out = new ArrayList<>();
      }
      out.add(encoded);
    }
    if (out != null) {
      writeProduce(out, nowNs);
    }
  }

  /** Writes {@code batches} in order, as few PRODUCE frames as the broker's frame limit allows. */
  private void writeProduce(Iterable<ProducerBatch> batches, long nowNs) {
    List<ProducerBatch> frame = new ArrayList<>();
    int frameBytes = BrokerConnection.PRODUCE_OVERHEAD;
    for (ProducerBatch b : batches) {
      if (!frame.isEmpty() && frameBytes + b.encodedLength() > maxFrameBytes) {
        connection.produce(frame, nowNs);
        frame = new ArrayList<>();
        frameBytes = BrokerConnection.PRODUCE_OVERHEAD;
      }
      frame.add(b);
      frameBytes += b.encodedLength();
    }
    if (!frame.isEmpty()) {
      connection.produce(frame, nowNs);
    }
    connection.flush();
  }

  private void maybeStartInit(long nowNs) {
    if (rollPending && unacked.isEmpty()) {
      rollPending = false;
      needInit = true;
    }
    if (needInit
        && !initInFlight
        && connection != null
        && ready
        && connection.outstandingRequests() == 0) {
      initInFlight = true;
      connection.initProducer(config.producerName(), nowNs);
      connection.flush();
    }
  }

  // ---------------------------------------------------------------- outcomes

  private void acknowledge(ProducerBatch b, long baseOffset, long baseStreamVersion) {
    unacked.remove(b);
    b.releaseBytes();
    if (!b.resolved) {
      b.baseOffset = baseOffset;
      b.baseStreamVersion = baseStreamVersion;
      resolve(b, null);
    }
    backoff.reset();
  }

  /** Fails an unacknowledged batch for good; with idempotence its sequence now has a hole. */
  private void reject(ProducerBatch b, OrdoException e) {
    unacked.remove(b);
    b.releaseBytes();
    if (!b.resolved) {
      resolve(b, e);
    }
    if (config.idempotence()) {
      needInit = true;
    }
  }

  private void resolve(ProducerBatch b, Throwable failure) {
    b.resolved = true;
    b.failure = failure;
    memory.release(b.memoryBytes);
    complete(b);
  }

  /** Fails every batch not yet resolved, sent or not. */
  private void failPending(OrdoException e) {
    if (config.idempotence() && !unacked.isEmpty()) {
      needInit = true;
    }
    for (ProducerBatch b : unacked) {
      b.releaseBytes();
      if (!b.resolved) {
        resolve(b, e);
      }
    }
    unacked.clear();
    accumulator.removeAll(b -> resolve(b, e));
  }

  private void fatal(OrdoException e) {
    LOG.error("producer {} stops: {}", producerId, e.getMessage());
    state = State.FAILED;
    stateError = e;
    onFatal.accept(e);
    dropConnection(false);
    failPending(e);
    drainQueue(System.nanoTime(), Integer.MAX_VALUE);
    checkFlushWaiters();
  }

  private void expire(long nowNs) {
    long createdBeforeNs = nowNs - deliveryTimeoutNs;
    accumulator.removeCreatedBefore(
        createdBeforeNs,
        b ->
            resolve(
                b,
                new OrdoException(
                    ErrorCode.REQUEST_TIMED_OUT,
                    "the "
                        + b
                        + " could not be sent within deliveryTimeoutMs="
                        + config.deliveryTimeoutMs()
                        + "; it was not stored")));
    Iterator<ProducerBatch> it = unacked.iterator();
    while (it.hasNext()) {
      ProducerBatch b = it.next();
      if (b.resolved || b.createdNs - createdBeforeNs > 0) {
        continue;
      }
      resolve(
          b,
          new OrdoException(
              ErrorCode.REQUEST_TIMED_OUT,
              "the "
                  + b
                  + " was not acknowledged within deliveryTimeoutMs="
                  + config.deliveryTimeoutMs()
                  + "; it may or may not have been stored"));
      // An idempotent producer keeps resending it (same sequence) so that the batches after it
      // are not refused for a gap; the answer is ignored. Otherwise it is simply forgotten.
      if (!config.idempotence()) {
        it.remove();
        b.releaseBytes();
      }
    }
  }

  private void checkFlushWaiters() {
    if (flushWaiters.isEmpty()) {
      return;
    }
    long min = accumulator.minSerial();
    for (ProducerBatch b : unacked) {
      if (!b.resolved) {
        min = Math.min(min, b.serial);
      }
    }
    while (!flushWaiters.isEmpty() && flushWaiters.peekFirst().lastSerial() < min) {
      CompletableFuture<Void> done = flushWaiters.pollFirst().done();
      complete(() -> done.complete(null));
    }
  }

  // ---------------------------------------------------------------- timers

  private void armLinger(long nowNs) {
    if (lingerNs == 0) {
      return;
    }
    long deadlineNs = accumulator.nextLingerDeadlineNs();
    if (deadlineNs == Long.MAX_VALUE
        || (lingerTimer != null && lingerTimerDeadlineNs - deadlineNs <= 0)) {
      return;
    }
    cancel(lingerTimer);
    lingerTimerDeadlineNs = deadlineNs;
    lingerTimer =
        loop.schedule(this::onLinger, Math.max(0, deadlineNs - nowNs), TimeUnit.NANOSECONDS);
  }

  private void onLinger() {
    lingerTimer = null;
    lingerTimerDeadlineNs = Long.MAX_VALUE;
    if (state != State.RUNNING) {
      return;
    }
    long nowNs = System.nanoTime();
    accumulator.sealLingered(nowNs);
    pump(nowNs);
  }

  private void onTick() {
    if (state != State.RUNNING) {
      return;
    }
    long nowNs = System.nanoTime();
    if (connection != null
        && connection.outstandingRequests() > 0
        && nowNs - connection.oldestRequestSentNs() > requestTimeoutNs) {
      LOG.warn(
          "no response from {} within requestTimeoutMs={}; reconnecting",
          connection.address(),
          config.requestTimeoutMs());
      dropConnection(true);
    }
    expire(nowNs);
    pump(nowNs);
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  // ---------------------------------------------------------------- connection

  private void connect() {
    reconnectTimer = null;
    if (state != State.RUNNING) {
      return;
    }
    List<InetSocketAddress> servers = config.bootstrapServers();
    InetSocketAddress address = servers.get(serverIndex % servers.size());
    connection = new BrokerConnection(bootstrap, address, config.clientId(), this);
    connection.connect();
  }

  /** Forgets the current connection; every unacknowledged batch will be resent on the next. */
  private void dropConnection(boolean withBackoff) {
    if (connection != null) {
      connection.close();
      connection = null;
    }
    ready = false;
    initInFlight = false;
    if (state != State.RUNNING || reconnectTimer != null) {
      return;
    }
    serverIndex = (serverIndex + 1) % config.bootstrapServers().size();
    long delayMs = withBackoff ? backoff.nextDelayMs() : 0;
    reconnectTimer = loop.schedule(this::connect, delayMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onHandshake(BrokerConnection c, Messages.HelloOk ok) {
    if (c != connection) {
      return;
    }
    maxFrameBytes = ok.maxFrameBytes();
    int limit =
        Math.min(
            config.batchSizeBytes(),
            Math.min(ok.maxBatchBytes(), ok.maxFrameBytes() - BrokerConnection.PRODUCE_OVERHEAD));
    if (limit < config.batchSizeBytes()) {
      LOG.warn(
          "broker {} accepts batches of at most {} bytes; batchSizeBytes={} is lowered to that",
          c.address(),
          limit,
          config.batchSizeBytes());
    }
    encoder.maxBatchBytes(limit);
    accumulator.batchLimitBytes(limit);
    ready = true;
    LOG.info("connected to broker {} (node {})", c.address(), ok.nodeId());
    long nowNs = System.nanoTime();
    if (!needInit && !unacked.isEmpty()) {
      writeProduce(unacked, nowNs);
    }
    pump(nowNs);
  }

  @Override
  public void onInitProducer(BrokerConnection c, Messages.InitProducerResponse r) {
    if (c != connection) {
      return;
    }
    initInFlight = false;
    ErrorCode error = r.error();
    if (error == ErrorCode.PRODUCER_FENCED) {
      fatal(new OrdoException(error, "initialising producer '" + config.producerName() + "'"));
      return;
    }
    if (error.retriable()) {
      LOG.warn("initialising the producer at {} failed ({}); retrying", c.address(), error);
      dropConnection(true);
      return;
    }
    if (error != ErrorCode.NONE) {
      OrdoException e =
          new OrdoException(error, "the broker at " + c.address() + " refused INIT_PRODUCER");
      LOG.error("{}; failing pending records", e.getMessage());
      failPending(e);
      dropConnection(true);
      return;
    }
    startSession(r.producerId(), r.epoch());
    long nowNs = System.nanoTime();
    if (!unacked.isEmpty()) {
      writeProduce(unacked, nowNs);
    }
    pump(nowNs);
  }

  /**
   * Moves the unacknowledged batches to a new session: sequences from 0 in the same order. Those
   * already failed by the delivery timeout are dropped, not resent: under a new session a resend
   * could store them twice.
   */
  private void startSession(long newProducerId, short newEpoch) {
    LOG.info(
        "producer session {} epoch {} (was {} epoch {})",
        newProducerId,
        newEpoch,
        producerId,
        epoch);
    producerId = newProducerId;
    epoch = newEpoch;
    needInit = false;
    rollPending = false;
    int sequence = 0;
    Iterator<ProducerBatch> it = unacked.iterator();
    while (it.hasNext()) {
      ProducerBatch b = it.next();
      if (b.resolved) {
        it.remove();
        b.releaseBytes();
        continue;
      }
      encoder.restamp(b, producerId, epoch, sequence);
      sequence += b.count;
    }
    nextSequence = sequence;
  }

  @Override
  public void onProduceResponse(
      BrokerConnection c, List<ProducerBatch> batches, List<Messages.BatchResult> results) {
    if (c != connection) {
      return;
    }
    ErrorCode retryCause = null;
    for (int i = 0; i < batches.size(); i++) {
      ProducerBatch b = batches.get(i);
      Messages.BatchResult r = results.get(i);
      ErrorCode error = r.error();
      if (error == ErrorCode.NONE) {
        acknowledge(b, r.baseOffset(), r.baseStreamVersion());
      } else if (error == ErrorCode.PRODUCER_FENCED) {
        fatal(new OrdoException(error, "the broker refused the " + b));
        return;
      } else if (error.retriable()) {
        retryCause = retryCause == null ? error : retryCause;
      } else if (error == ErrorCode.OUT_OF_ORDER_SEQUENCE
          && config.idempotence()
          && (needInit || retryCause != null)) {
        // A batch before it was not stored: it follows a failure we already know about and is
        // resent, after a reconnect or under the next session.
        continue;
      } else {
        OrdoException e = new OrdoException(error, "the broker refused the " + b);
        LOG.warn("{}", e.getMessage());
        reject(b, e);
      }
    }
    if (retryCause != null) {
      LOG.warn("broker {} answered {}; reconnecting to resend", c.address(), retryCause);
      dropConnection(true);
    }
    pump(System.nanoTime());
  }

  @Override
  public void onRequestError(
      BrokerConnection c, MessageType request, List<ProducerBatch> batches, Messages.Error error) {
    if (c != connection) {
      return;
    }
    ErrorCode code = error.code();
    if (code == ErrorCode.PRODUCER_FENCED) {
      fatal(new OrdoException(code, error.message()));
      return;
    }
    if (code.retriable()) {
      LOG.warn("broker {} answered {} with {}; reconnecting", c.address(), request, code);
    } else {
      OrdoException e =
          new OrdoException(
              code,
              "the broker at " + c.address() + " refused " + request + ": " + error.message());
      LOG.error("{}", e.getMessage());
      if (request == MessageType.PRODUCE) {
        for (ProducerBatch b : batches) {
          reject(b, e);
        }
      } else {
        failPending(e);
      }
    }
    dropConnection(true);
    pump(System.nanoTime());
  }

  @Override
  public void onDisconnected(BrokerConnection c, Throwable cause) {
    if (c != connection) {
      return;
    }
    if (ready) {
      LOG.info(
          "connection to {} lost{}; {} batches will be resent",
          c.address(),
          cause == null ? "" : " (" + cause + ")",
          unacked.size());
    } else if (shouldWarnConnectFailure(System.nanoTime())) {
      // never got through: say so where a user sees it (at most every 10 s), as Kafka's clients do
      LOG.warn(
          "could not connect to {}{}; retrying (records fail after deliveryTimeoutMs={})",
          c.address(),
          cause == null ? "" : " (" + cause.getMessage() + ")",
          config.deliveryTimeoutMs());
    }
    dropConnection(true);
    pump(System.nanoTime());
  }

  private boolean shouldWarnConnectFailure(long nowNs) {
    if (lastConnectWarningNs != 0 && nowNs - lastConnectWarningNs < CONNECT_WARNING_INTERVAL_NS) {
      return false;
    }
    lastConnectWarningNs = nowNs;
    return true;
  }

  @Override
  public void onProtocolViolation(BrokerConnection c, OrdoException violation) {
    if (c != connection) {
      return;
    }
    LOG.error(
        "broker {} broke the protocol: {}; failing pending records",
        c.address(),
        violation.getMessage());
    failPending(violation);
    dropConnection(true);
    pump(System.nanoTime());
  }
}
