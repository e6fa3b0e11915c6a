package io.ordo.producer;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.Header;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.wire.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records to an Ordo broker, batched, optionally compressed, retried without duplicates.
 *
 * <pre>{@code
 * try (Producer p = Producer.builder().bootstrapServers("127.0.0.1:7070").build()) {
 *   p.send("orders", key, value).thenAccept(m -> log(m.offset()));
 *   RecordMetadata m = p.sendAndWait("orders", key, value);
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> A producer is thread-safe. {@code send} only validates the record, takes its
 * bytes from the buffer memory and hands it to the producer's I/O thread through a lock-free queue.
 * The I/O thread (one Netty event loop, {@code ordo-producer-<n>-io}) batches, encodes, sends and
 * retries. Futures are completed on a separate callback thread ({@code
 * ordo-producer-<n>-callbacks}), in acknowledgement order; code chained on them without {@code
 * Async} runs there. Keep it short: a slow callback delays the others (never the network). From
 * that thread, {@link #flush}, {@link #sendAndWait} and waiting on another record's future would
 * wait for the thread itself, so flush and sendAndWait refuse to run there, and {@link #close} only
 * starts the close. {@link Builder#callbacksOnIoThread} runs them on the I/O thread instead, as
 * Kafka's producer does: one thread hand-off less per acknowledgement, for short callbacks only.
 *
 * <p><b>Ordering and retries.</b> Records of one stream are stored in the order they were sent.
 * With {@code crossStreamOrder}, the whole log keeps the send order. With idempotence (the
 * default), a batch lost to a broker failure or a dropped connection is resent with the same
 * sequence numbers and the broker stores it once; retries continue until {@code deliveryTimeoutMs}.
 * When the broker refuses a batch for good (a non-retriable error), only its records fail, and the
 * producer continues in a new session.
 *
 * <p><b>Failures</b> reach the futures as {@link OrdoException}s carrying an {@link ErrorCode}:
 * REQUEST_TIMED_OUT when {@code deliveryTimeoutMs} passed (the record may or may not have been
 * stored), PRODUCER_FENCED when a newer producer with the same name started (this producer then
 * stops; close it), or the broker's own error. A broker that answers with bytes this client cannot
 * read (MALFORMED_FRAME, FRAME_TOO_LARGE) or refuses the handshake fails every pending record at
 * once rather than leaving it to time out. {@code send} itself throws only for calls that can never
 * succeed: bad arguments, a record larger than a batch, a closed or fenced producer, or full buffer
 * memory ({@link BufferFullException}).
 */
public final class Producer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Producer.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final Header[] NO_HEADERS = new Header[0];
  private static final long CLOSE_JOIN_MS = 10_000;
  private static final long FLUSH_POLL_MS = 200;

  private final ProducerConfig config;
  private final BufferMemory memory;
  private final MpscUnboundedXaddArrayQueue<PendingRecord> queue =
      new MpscUnboundedXaddArrayQueue<>(4096);
  private final ProducerThreads threads;
  private final EventLoopGroup group;
  private final EventLoop loop;
  private final CallbackThread callbacks;
  private final Sender sender;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicBoolean drainUrgent = new AtomicBoolean();

  /** Bytes sent since the last drain started: a batch's worth wakes the I/O thread at once. */
  private final AtomicLong queuedBytes = new AtomicLong();

  private final Runnable drainTask;
  private final Runnable lingeredDrainTask;
  private final long maxBlockNs;
  private final AtomicBoolean closeStarted = new AtomicBoolean();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private volatile boolean closing;
  private volatile boolean terminated;
  private volatile OrdoException fatal;
  private StreamName lastStream;

  /** Starts a producer: its threads run and it connects at once. */
  public Producer(ProducerConfig config) {
    this(config, Integer.MAX_VALUE);
  }

  /** For tests: {@code sequenceLimit} makes sessions roll over after fewer records. */
  Producer(ProducerConfig config, int sequenceLimit) {
    this.config = Objects.requireNonNull(config, "config");
    this.memory = new BufferMemory(config.bufferMemoryBytes());
    this.maxBlockNs = TimeUnit.MILLISECONDS.toNanos(config.maxBlockMs());
    this.threads = new ProducerThreads(INSTANCES.incrementAndGet());
    this.callbacks = new CallbackThread(threads);
    Transport transport = config.transport().resolve();
    this.group = transport.newEventLoopGroup(1, threads.factory("io"));
    this.loop = group.next();
    ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    Bootstrap bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(transport.socketChannelClass())
            .option(ChannelOption.ALLOCATOR, alloc)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeoutMs());
    this.sender =
        new Sender(
            config,
            queue,
            memory,
            callbacks,
            loop,
            bootstrap,
            alloc,
            this::drainNow,
            e -> fatal = e,
            sequenceLimit);
    this.drainTask = () -> startDrain(false);
    this.lingeredDrainTask = () -> startDrain(true);
    callbacks.start();
    loop.execute(sender::start);
  }

  /** A builder with the defaults listed on each of its methods. */
  public static Builder builder() {
    return new Builder();
  }

  public ProducerConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- sending

  /** Sends a record without headers; see {@link #send(String, byte[], byte[], Header...)}. */
  public CompletableFuture<RecordMetadata> send(String stream, byte[] key, byte[] value) {
    return send(stream, key, value, NO_HEADERS);
  }

  /**
   * Sends a record. Returns at once (unless the buffer memory is full and the policy is {@link
   * BufferFullPolicy#BLOCK}); the future completes, on the callback thread, when the broker has
   * stored the record durably or when it failed for good. Do not modify {@code key} or {@code
   * value} after the call.
   *
   * @param stream the stream to append to: 1 to 255 UTF-8 bytes
   * @param key the record key, or null
   * @param value the record value, or null
   * @param headers the record headers (may be empty)
   * @throws IllegalArgumentException for a bad stream name, or a record that can never fit in a
   *     batch of {@code batchSizeBytes} or in the buffer memory
   * @throws BufferFullException when the buffer memory stays full (see {@link BufferFullPolicy})
   * @throws IllegalStateException when the producer is closed
   * @throws OrdoException PRODUCER_FENCED when the producer was fenced
   */
  public CompletableFuture<RecordMetadata> send(
      String stream, byte[] key, byte[] value, Header... headers) {
    return submit(stream, key, value, headers, null);
  }

  /**
   * Sends a record and calls {@code callback} once it is stored or has failed for good, instead of
   * completing a future: no future and no {@link RecordMetadata} are made for it, which is what a
   * producer sending hundreds of thousands of records a second wants. The callback runs on the
   * callback thread, like a future's dependents (on the calling thread if the producer closed
   * during this call). Otherwise as {@link #send(String, byte[], byte[], Header...)}, with the same
   * exceptions.
   *
   * @param headers the record headers (null or empty for none)
   */
  public void send(
      String stream, byte[] key, byte[] value, Header[] headers, SendCallback callback) {
    submit(stream, key, value, headers, Objects.requireNonNull(callback, "callback"));
  }

  private PendingRecord submit(
      String stream, byte[] key, byte[] value, Header[] headers, SendCallback callback) {
    checkOpen();
    int nameBytes = checkStream(stream);
    Header[] hs = headers == null || headers.length == 0 ? NO_HEADERS : headers.clone();
    for (Header h : hs) {
      Objects.requireNonNull(h, "headers contain null");
    }
    int body = RecordSize.bodyWithoutDelta(key, value, hs);
    int recordBytes = RecordSize.encoded(body, 0);
    if (RecordSize.batchOverhead(nameBytes) + (long) recordBytes > config.batchSizeBytes()) {
      throw new IllegalArgumentException(
          "a record of "
              + recordBytes
              + " bytes can never fit in a batch of batchSizeBytes="
              + config.batchSizeBytes()
              + "; raise batchSizeBytes or send smaller records");
    }
    // Never wait for memory on the I/O thread (a callback with callbacksOnIoThread): only that
    // thread frees it, so the wait could only end at maxBlockMs, with the network stopped.
    boolean mayBlock = config.bufferFullPolicy() == BufferFullPolicy.BLOCK && !loop.inEventLoop();
    memory.acquire(recordBytes, mayBlock, maxBlockNs);
    PendingRecord r =
        new PendingRecord(
            stream, key, value, hs, System.currentTimeMillis(), body, recordBytes, callback);
    queue.offer(r);
    if (terminated) {
      // close() may have drained the queue already; nobody else will complete this record.
      r.failed(closedError());
    } else {
      scheduleDrain(recordBytes);
    }
    return r;
  }

  /**
   * Sends a record and waits for its outcome.
   *
   * @throws OrdoException when the record failed (see the class comment)
   * @throws InterruptedException when interrupted while waiting (the record may still be stored)
   * @throws IllegalStateException when called on the producer's callback thread
   */
  public RecordMetadata sendAndWait(String stream, byte[] key, byte[] value, Header... headers)
      throws InterruptedException {
    checkNotProducerThread("sendAndWait");
    CompletableFuture<RecordMetadata> f = send(stream, key, value, headers);
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new OrdoException(ErrorCode.UNKNOWN, "send failed", cause);
    }
  }

  /**
   * Sends every record accepted before this call without waiting for {@code lingerMs}, and waits
   * until each of them is acknowledged or failed (their futures are complete when this returns).
   *
   * @throws InterruptedException when interrupted while waiting
   * @throws IllegalStateException when called on the producer's callback thread
   */
  public void flush() throws InterruptedException {
    checkNotProducerThread("flush");
    CompletableFuture<Void> done = flushAsync();
    while (true) {
      try {
        done.get(FLUSH_POLL_MS, TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException e) {
        if (terminated) {
          return; // the flush task may have been dropped by the stopped I/O thread
        }
      } catch (ExecutionException e) {
        throw new IllegalStateException("flush failed", e.getCause());
      }
    }
  }

  private CompletableFuture<Void> flushAsync() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      loop.execute(() -> sender.flush(done));
    } catch (RejectedExecutionException e) {
      done.complete(null); // the I/O thread has stopped: nothing is pending any more
    }
    return done;
  }

  /**
   * Wakes the I/O thread to drain the queue, but not for every record: waking an event loop is a
   * system call, which at a million records a second would cost more than the records. The first
   * record after a drain schedules one drain a linger time later; a batch's worth of bytes queued
   * before that drains at once.
   */
  private void scheduleDrain(int recordBytes) {
    long queued = queuedBytes.addAndGet(recordBytes);
    if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
      try {
        if (config.lingerMs() == 0) {
          loop.execute(drainTask);
        } else {
          loop.schedule(lingeredDrainTask, config.lingerMs(), TimeUnit.MILLISECONDS);
        }
      } catch (RejectedExecutionException e) {
        drainScheduled.set(false); // shutting down: close() fails what is left in the queue
      }
    } else if (queued >= config.batchSizeBytes()
        && !drainUrgent.get()
        && drainUrgent.compareAndSet(false, true)) {
      drainNow();
    }
  }

  /** I/O thread: clears the wake-up state, then drains. */
  private void startDrain(boolean lingered) {
    drainScheduled.set(false);
    drainUrgent.set(false);
    queuedBytes.set(0);
    sender.drain(lingered);
  }

  /** Drains as soon as the I/O thread gets to it (also the sender's re-drain hook). */
  private void drainNow() {
    try {
      loop.execute(drainTask);
    } catch (RejectedExecutionException e) {
      // shutting down: close() fails what is left in the queue
    }
  }

  // ---------------------------------------------------------------- closing

  /**
   * Flushes, then fails whatever is still unacknowledged after {@code deliveryTimeoutMs}, and stops
   * the producer's threads; returns when they have ended. Idempotent. On the producer's own
   * callback thread it only starts the close and returns.
   */
  @Override
  public void close() {
    close(Duration.ofMillis(Long.MAX_VALUE));
  }

  /**
   * As {@link #close()}, but waits at most {@code timeout} for the flush before failing what is
   * left (each record's future fails with REQUEST_TIMED_OUT; it may or may not have been stored).
   */
  public void close(Duration timeout) {
    long timeoutMs = timeout.toMillis();
    if (!closeStarted.compareAndSet(false, true)) {
      if (!isProducerThread()) {
        closed.join();
        awaitThreads(); // a close started on a producer thread ends on a closer thread
      }
      return;
    }
    closing = true;
    memory.close();
    if (isProducerThread()) {
      threads.newThread("closer", () -> shutDown(timeoutMs)).start();
      return;
    }
    shutDown(timeoutMs);
  }

  private void shutDown(long flushTimeoutMs) {
    boolean interrupted = false;
    try {
      try {
        flushAsync().get(flushTimeoutMs, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        LOG.warn("close: records still unacknowledged after {} ms are failed", flushTimeoutMs);
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException e) {
        LOG.error("close: flush failed", e.getCause());
      }
      OrdoException reason = closedError();
      try {
        loop.submit(() -> sender.shutdown(reason)).syncUninterruptibly();
      } catch (RejectedExecutionException e) {
        // already stopped
      }
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
      terminated = true;
      PendingRecord r;
      while ((r = queue.poll()) != null) {
        PendingRecord record = r;
        callbacks.submit(() -> record.failed(reason));
      }
      callbacks.stop();
      awaitThreads();
    } finally {
      closed.complete(null);
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits until every producer thread has ended (the closer too, once it completed the close). */
  private void awaitThreads() {
    try {
      if (!threads.join(CLOSE_JOIN_MS)) {
        LOG.warn("close: producer threads did not end within {} ms", CLOSE_JOIN_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private OrdoException closedError() {
    return new OrdoException(
        ErrorCode.REQUEST_TIMED_OUT,
        "the producer was closed before the record was acknowledged; it may or may not have been"
            + " stored");
  }

  // ---------------------------------------------------------------- checks

  private void checkOpen() {
    OrdoException f = fatal;
    if (f != null) {
      throw new OrdoException(f.errorCode(), "this producer was stopped", f);
    }
    if (closing) {
      throw new IllegalStateException("the producer is closed");
    }
  }

  /**
   * The UTF-8 length of the stream name, remembered for the last name seen: most senders write to a
   * few streams. The cache is a racy field holding an immutable pair, so any value read is
   * consistent.
   */
  private int checkStream(String stream) {
    Objects.requireNonNull(stream, "stream");
    StreamName last = lastStream;
    if (last != null && last.name().equals(stream)) {
      return last.utf8Bytes();
    }
    int n = RecordSize.utf8Length(stream);
    if (n < 1 || n > RecordBatch.MAX_STREAM_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "a stream name must be 1 to "
              + RecordBatch.MAX_STREAM_NAME_LENGTH
              + " UTF-8 bytes, not "
              + n);
    }
    lastStream = new StreamName(stream, n);
    return n;
  }

  private record StreamName(String name, int utf8Bytes) {}

  private boolean isProducerThread() {
    return loop.inEventLoop() || Thread.currentThread() == callbacks.thread();
  }

  private void checkNotProducerThread(String what) {
    if (isProducerThread()) {
      throw new IllegalStateException(
          what
              + " would wait for this producer's own thread; compose the future returned by"
              + " send instead");
    }
  }

  // ---------------------------------------------------------------- test hooks

  /** Bytes of buffer memory held right now. */
  long bufferedBytes() {
    return memory.usedBytes();
  }

  /** Senders blocked waiting for buffer memory right now. */
  int blockedSenders() {
    return memory.waiterCount();
  }

  /**
   * Collects the settings of a {@link Producer}. Not thread-safe; {@link #build} validates the
   * settings and starts the producer.
   */
  public static final class Builder {
    private final List<InetSocketAddress> bootstrapServers = new ArrayList<>();
    private String clientId = "ordo-producer";
    private String producerName = "";
    private boolean idempotence = true;
    private int batchSizeBytes = 64 * 1024;
    private long lingerMs = 1;
    private Compression compression = Compression.NONE;
    private int zstdLevel = 3;
    private long bufferMemoryBytes = 64L << 20;
    private BufferFullPolicy onBufferFull = BufferFullPolicy.BLOCK;
    private long maxBlockMs = 60_000;
    private long deliveryTimeoutMs = 120_000;
    private long requestTimeoutMs = 30_000;
    private int maxInFlightBatches = 32;
    private long retryBackoffMs = 100;
    private long retryBackoffMaxMs = 1_000;
    private long connectTimeoutMs = 10_000;
    private boolean crossStreamOrder;
    private boolean callbacksOnIoThread;
    private Transport transport = Transport.AUTO;

    private Builder() {}

    /**
     * Brokers to connect to, each "host:port" (or several separated by commas), tried in order.
     * Required.
     */
    public Builder bootstrapServers(String... hostPorts) {
      for (String list : hostPorts) {
        for (String hostPort : list.split(",")) {
          bootstrapServers.add(parseHostPort(hostPort.trim()));
        }
      }
      return this;
    }

    /** Sent in the handshake for the broker's logs. Default "ordo-producer". */
    public Builder clientId(String clientId) {
      this.clientId = clientId;
      return this;
    }

    /**
     * A stable name for this producer. Each start of a producer with the same name fences the
     * previous one (its sends fail with PRODUCER_FENCED). Default "": anonymous, never fenced.
     */
    public Builder producerName(String producerName) {
      this.producerName = producerName;
      return this;
    }

    /**
     * Whether retries are deduplicated by the broker (producer id and sequence numbers). Default
     * true. Without it a retry may store a batch twice.
     */
    public Builder idempotence(boolean idempotence) {
      this.idempotence = idempotence;
      return this;
    }

    /** Largest batch the producer builds (one stream per batch). Default 64 KiB. */
    public Builder batchSizeBytes(int batchSizeBytes) {
      this.batchSizeBytes = batchSizeBytes;
      return this;
    }

    /**
     * How long a batch that is not full waits for more records before it is sent. Default 1 ms; 0
     * sends whatever the I/O thread has gathered each time it wakes.
     */
    public Builder lingerMs(long lingerMs) {
      this.lingerMs = lingerMs;
      return this;
    }

    /** Codec of the batches' records. Default NONE. */
    public Builder compression(Compression compression) {
      this.compression = compression;
      return this;
    }

    /**
     * Most bytes of records held between send and acknowledgement; then {@link #onBufferFull}
     * applies. Default 64 MiB; at least batchSizeBytes.
     */
    public Builder bufferMemoryBytes(long bufferMemoryBytes) {
      this.bufferMemoryBytes = bufferMemoryBytes;
      return this;
    }

    /**
     * zstd level with {@link Compression#ZSTD}, -7 (fastest) to 22. Default 3. Compression runs on
     * the I/O thread; on record data level 1 compresses about as well as 3 at roughly 1.7 times the
     * speed, so prefer it when that thread is the bottleneck.
     */
    public Builder zstdLevel(int zstdLevel) {
      this.zstdLevel = zstdLevel;
      return this;
    }

    /** What send does when the buffer memory is full. Default {@link BufferFullPolicy#BLOCK}. */
    public Builder onBufferFull(BufferFullPolicy policy) {
      this.onBufferFull = policy;
      return this;
    }

    /** Longest a blocking send waits for buffer memory. Default 60 s. */
    public Builder maxBlockMs(long maxBlockMs) {
      this.maxBlockMs = maxBlockMs;
      return this;
    }

    /**
     * Longest a record may wait, from when the I/O thread takes it, for its acknowledgement,
     * retries included; then its future fails with REQUEST_TIMED_OUT. Default 120 s.
     */
    public Builder deliveryTimeoutMs(long deliveryTimeoutMs) {
      this.deliveryTimeoutMs = deliveryTimeoutMs;
      return this;
    }

    /**
     * Longest a request may wait for its response before the connection is dropped and the request
     * resent. Default 30 s.
     */
    public Builder requestTimeoutMs(long requestTimeoutMs) {
      this.requestTimeoutMs = requestTimeoutMs;
      return this;
    }

    /**
     * Most batches sent and not yet acknowledged. Default 32; at most 64 with idempotence (the
     * broker deduplicates within a producer's last 64 batches).
     */
    public Builder maxInFlightBatches(int maxInFlightBatches) {
      this.maxInFlightBatches = maxInFlightBatches;
      return this;
    }

    /**
     * First delay before reconnecting after a failure, doubling up to {@code maxMs}. Default 100 ms
     * up to 1 s.
     */
    public Builder retryBackoffMs(long initialMs, long maxMs) {
      this.retryBackoffMs = initialMs;
      this.retryBackoffMaxMs = maxMs;
      return this;
    }

    /** Longest a TCP connect may take. Default 10 s. */
    public Builder connectTimeoutMs(long connectTimeoutMs) {
      this.connectTimeoutMs = connectTimeoutMs;
      return this;
    }

    /**
     * Whether the log must keep this producer's send order across streams, not only within each
     * stream. Costs batching when records of several streams interleave. Default false.
     */
    public Builder crossStreamOrder(boolean crossStreamOrder) {
      this.crossStreamOrder = crossStreamOrder;
      return this;
    }

    /**
     * Whether futures are completed and callbacks called on the producer's I/O thread rather than
     * on its callback thread, as Kafka's producer does: one thread hand-off less between an
     * acknowledgement and its callback (at 500,000 records/s on two cores: client CPU 0.97 and ack
     * p50 0.92 of the default, the p99 no different; docs/performance.md), but a slow or blocking
     * callback, or code chained on a future without {@code Async}, then holds up sending and
     * receiving. For short callbacks only. {@link Producer#flush} and {@link Producer#sendAndWait}
     * refuse to run on that thread either way, and a {@code send} there never waits for buffer
     * memory (only that thread frees it): it fails at once with {@link BufferFullException}.
     * Default false.
     */
    public Builder callbacksOnIoThread(boolean callbacksOnIoThread) {
      this.callbacksOnIoThread = callbacksOnIoThread;
      return this;
    }

    /**
     * The Netty transport of the producer's I/O thread: {@link Transport#AUTO} (the default) takes
     * the native epoll transport on Linux and the JDK's NIO elsewhere; {@link Transport#EPOLL}
     * fails to build where epoll is not available.
     */
    public Builder transport(Transport transport) {
      this.transport = transport;
      return this;
    }

    /** The validated settings. */
    public ProducerConfig config() {
      return new ProducerConfig(
          bootstrapServers,
          clientId,
          producerName,
          idempotence,
          batchSizeBytes,
          lingerMs,
          compression,
          zstdLevel,
          bufferMemoryBytes,
          onBufferFull,
          maxBlockMs,
          deliveryTimeoutMs,
          requestTimeoutMs,
          maxInFlightBatches,
          retryBackoffMs,
          retryBackoffMaxMs,
          connectTimeoutMs,
          crossStreamOrder,
          callbacksOnIoThread,
          transport);
    }

    /** Validates the settings and starts a producer. */
    public Producer build() {
      return new Producer(config());
    }

    private static InetSocketAddress parseHostPort(String hostPort) {
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0 || colon == hostPort.length() - 1) {
        throw new IllegalArgumentException("'" + hostPort + "' is not host:port");
      }
      String host = hostPort.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + hostPort + "' has no numeric port");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("'" + hostPort + "' has a port out of range");
      }
      return InetSocketAddress.createUnresolved(host, port);
    }
  }
}
