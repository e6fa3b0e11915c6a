package io.ordo.broker.server;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutBlockingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.ordo.broker.delivery.CommitWatch;
import io.ordo.broker.delivery.Deliveries;
import io.ordo.broker.delivery.DeliveryConfig;
import io.ordo.broker.groups.GroupCoordinator;
import io.ordo.broker.groups.MemoryGroupOffsets;
import io.ordo.broker.sequencer.AppendEvent;
import io.ordo.broker.sequencer.GroupRequest;
import io.ordo.broker.sequencer.ProduceRequest;
import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.Sequencer;
import io.ordo.broker.sequencer.StreamVersions;
import io.ordo.broker.state.DerivedState;
import io.ordo.broker.state.GroupOffset;
import io.ordo.broker.state.StateCheckpointer;
import io.ordo.broker.state.StateRecovery;
import io.ordo.broker.state.StateStore;
import io.ordo.broker.state.StateStoreConfig;
import io.ordo.broker.storage.Log;
import io.ordo.broker.storage.LogClock;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.wire.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running single node: the log, the derived state replayed from it, the sequencer on its
 * Disruptor thread, and the Netty server. {@link #start} returns once the node listens; {@link
 * #close} stops accepting, drains the ring, acknowledges what was written, and closes the log.
 *
 * <p>Threads: one Netty acceptor, {@code io.threads} Netty I/O threads, one sequencer thread, one
 * state checkpoint thread (when the state store can be used).
 */
public final class Node implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);
  private static final long TERM = 1;

  /** How often the derived state is checkpointed to the state store (on its own thread). */
  private static final long STATE_CHECKPOINT_INTERVAL_MS = 60_000;

  /** Per connection: past the high mark delivery stops queueing until the socket drains. */
  private static final WriteBufferWaterMark WATER_MARK =
      new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

  private static final long SESSION_CHECK_INTERVAL_MS = 50;

  /** How long a stop waits for the sequencer thread to finish what it is doing (an fsync). */
  private static final long SEQUENCER_STOP_WAIT_MS = 30_000;

  private final NodeConfig config;
  private final Log log;
  private final Disruptor<AppendEvent> disruptor;
  private final Sequencer sequencer;
  private final CommitWatch commitWatch;
  private final StateCheckpointer checkpointer;
  private final long stateReplayedFrom;
  private final EventLoopGroup acceptor;
  private final EventLoopGroup workers;
  private final Channel serverChannel;
  private volatile boolean closing;
  private boolean closed;

  private Node(NodeConfig config) throws IOException, InterruptedException {
    this.config = config;
    this.log = Log.open(config.logConfig(), LogClock.SYSTEM);
    ProducerSessions sessions = new ProducerSessions();
    StreamVersions streams = new StreamVersions();
    MemoryGroupOffsets groupOffsets = new MemoryGroupOffsets();
    long replayStart = System.nanoTime();
    StateStore stateStore = StateRecovery.openOrNull(StateStoreConfig.forDataDir(config.dataDir()));
    Map<String, GroupOffset> restoredGroups = new HashMap<>();
    long replayFrom = StateRecovery.restore(log, stateStore, sessions, streams, restoredGroups);
    this.stateReplayedFrom = replayFrom;
    restoredGroups
        .values()
        .forEach(
            g -> groupOffsets.restore(g.group(), g.subscription(), g.generation(), g.nextOffset()));
    log.forEachBatch(
        replayFrom,
        batch -> {
          sessions.apply(batch);
          streams.apply(batch);
          groupOffsets.apply(batch);
        });
    LOG.info(
        "{}, then replayed offsets {}..{} in {} ms: {} producer sessions, {} streams",
        replayFrom > log.startOffset() ? "state checkpoint loaded" : "no state checkpoint",
        replayFrom,
        log.nextOffset(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - replayStart),
        sessions.size(),
        streams.size());
    // When the store holds no checkpoint to build on, this writes a full one now, before the
    // sequencer starts; from here on the store belongs to the checkpoint thread.
    this.checkpointer =
        stateStore == null
            ? null
            : StateCheckpointer.start(
                stateStore,
                new DerivedState(sessions, streams, groupOffsets),
                STATE_CHECKPOINT_INTERVAL_MS,
                replayFrom,
                log.nextOffset(),
                System.currentTimeMillis());
    // On one node everything recovered from the log is committed.
    this.commitWatch = new CommitWatch(log.nextOffset());
    this.sequencer =
        new Sequencer(
                new SequencerLog(log, config.fsyncPolicy(), config.retentionCheckIntervalMs()),
                sessions,
                streams,
                groupOffsets,
                this::onAcknowledged,
                System::currentTimeMillis,
                TERM,
                config.maxBatchesPerRequest())
            .reportWriteStatsEvery(config.statsIntervalMs());
    // The sequencer sleeps when the ring is empty (spinning would take a core from the I/O threads
    // on a small machine) and wakes at least every tick for interval fsyncs. The plain blocking
    // strategy, not the "Lite" one: the Disruptor's authors call the lock elision of the Lite
    // strategies experimental, and a missed wake-up would hold acknowledgements for a whole tick.
    long tickMs = Math.min(config.fsyncIntervalMs(), 100);
    this.disruptor =
        new Disruptor<>(
            AppendEvent::new,
            config.ringSize(),
            new DefaultThreadFactory("ordo-sequencer", true),
            ProducerType.MULTI,
            new TimeoutBlockingWaitStrategy(tickMs, TimeUnit.MILLISECONDS));
    disruptor.handleEventsWith(sequencer);
    RingBuffer<AppendEvent> ring = disruptor.start();

    ClientConnection.RequestSink sink =
        new ClientConnection.RequestSink() {
          @Override
          public boolean publish(ProduceRequest request) {
            if (closing) {
              return false;
            }
            ring.publishEvent((event, seq, r) -> event.set(r), request);
            return true;
          }

          @Override
          public boolean publish(GroupRequest request) {
            if (closing) {
              return false;
            }
            ring.publishEvent((event, seq, r) -> event.set(r), request);
            return true;
          }

          @Override
          public int nodeId() {
            return config.nodeId();
          }
        };
    GroupCoordinator groups =
        new GroupCoordinator(sink::publish, groupOffsets, System::currentTimeMillis);
    ClientConnection.ReadPath readPath =
        new ClientConnection.ReadPath(
            new Deliveries(log, commitWatch, DeliveryConfig.DEFAULTS), groups, log::startOffset);
    Transport transport = config.transport().resolve();
    this.acceptor = transport.newEventLoopGroup(1, new DefaultThreadFactory("ordo-accept", true));
    this.workers =
        transport.newEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("ordo-io", true));
    try {
      this.serverChannel =
          new ServerBootstrap()
              .group(acceptor, workers)
              .channel(transport.serverChannelClass())
              .option(ChannelOption.SO_BACKLOG, 1024)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast("frames", new FrameDecoder(config.maxFrameBytes()))
                          .addLast("requests", new ClientConnection(config, sink, readPath));
                    }
                  })
              .bind(config.host(), config.port())
              .sync()
              .channel();
    } catch (RuntimeException | InterruptedException e) {
      shutdownEventLoops();
      disruptor.shutdown();
      if (checkpointer != null) {
        checkpointer.close();
      }
      log.close();
      throw e;
    }
    workers.scheduleAtFixedRate(
        groups::expireSessions,
        SESSION_CHECK_INTERVAL_MS,
        SESSION_CHECK_INTERVAL_MS,
        TimeUnit.MILLISECONDS);
    LOG.info(
        "node {} listening on {} ({} transport)",
        config.nodeId(),
        address(),
        transport.configName());
  }

  /**
   * Sequencer thread: the offset below which everything is acknowledged moved. Delivery may hand
   * out records below it, and when every stamped batch is durable the derived state matches the log
   * up to it exactly, so it may be checkpointed.
   */
  private void onAcknowledged(long offset) {
    commitWatch.advance(offset);
    if (checkpointer != null && sequencer != null && offset == sequencer.nextOffset()) {
      checkpointer.maybeCheckpoint(offset, System.currentTimeMillis());
    }
  }

  /** Opens the log, replays the derived state, and starts serving. */
  public static Node start(NodeConfig config) throws IOException, InterruptedException {
    return new Node(config);
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  public NodeConfig config() {
    return config;
  }

  /**
   * Where the log replay at start began: above the log's start offset when a state checkpoint was
   * used (for tools and tests).
   */
  public long stateReplayedFrom() {
    return stateReplayedFrom;
  }

  /** Offset the next append gets (for tools and tests). */
  public long nextOffset() {
    return log.nextOffset();
  }

  /** The log's first offset; retention moves it up (for tools and tests). */
  public long logStartOffset() {
    return log.startOffset();
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    closing = true;
    serverChannel.close().awaitUninterruptibly();
    disruptor.shutdown();
    awaitSequencerStopped();
    sequencer.flushAndAcknowledge();
    sequencer.failPending(ErrorCode.BROKER_UNAVAILABLE);
    shutdownEventLoops();
    if (checkpointer != null) {
      // The ring's thread has stopped: this thread owns the derived state now. The last
      // checkpoint is written (if everything stamped is durable) and the store closed by the
      // checkpoint thread, which then stops.
      if (log.durableOffset() == sequencer.nextOffset()) {
        checkpointer.checkpointAndClose(sequencer.nextOffset(), System.currentTimeMillis());
      } else {
        checkpointer.close();
      }
    }
    log.close();
    LOG.info("node {} stopped", config.nodeId());
  }

  /** The ring's thread must have left the sequencer before this thread takes over its state. */
  private void awaitSequencerStopped() {
    try {
      if (!sequencer.awaitStopped(SEQUENCER_STOP_WAIT_MS)) {
        LOG.error(
            "the sequencer thread did not stop within {} ms; stopping anyway",
            SEQUENCER_STOP_WAIT_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void shutdownEventLoops() {
    acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
