package io.ordo.broker.server;

import com.lmax.disruptor.LiteTimeoutBlockingWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.ordo.broker.sequencer.AppendEvent;
import io.ordo.broker.sequencer.ProduceRequest;
import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.Sequencer;
import io.ordo.broker.sequencer.StreamVersions;
import io.ordo.broker.storage.Log;
import io.ordo.broker.storage.LogClock;
import io.ordo.protocol.ErrorCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running single node: the log, the derived state replayed from it, the sequencer on its
 * Disruptor thread, and the Netty server. {@link #start} returns once the node listens; {@link
 * #close} stops accepting, drains the ring, acknowledges what was written, and closes the log.
 *
 * <p>Threads: one Netty acceptor, {@code io.threads} Netty I/O threads, one sequencer thread.
 */
public final class Node implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);
  private static final long TERM = 1;

  private final NodeConfig config;
  private final Log log;
  private final Disruptor<AppendEvent> disruptor;
  private final Sequencer sequencer;
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
    long replayStart = System.nanoTime();
    log.forEachBatch(
        log.startOffset(),
        batch -> {
          sessions.apply(batch);
          streams.apply(batch);
        });
    LOG.info(
        "replayed offsets {}..{} in {} ms: {} producer sessions, {} streams",
        log.startOffset(),
        log.nextOffset(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - replayStart),
        sessions.size(),
        streams.size());
    this.sequencer =
        new Sequencer(
            new SequencerLog(log, config.fsyncPolicy()),
            sessions,
            streams,
            System::currentTimeMillis,
            TERM,
            config.maxBatchesPerRequest());
    long tickMs = Math.min(config.fsyncIntervalMs(), 100);
    this.disruptor =
        new Disruptor<>(
            AppendEvent::new,
            config.ringSize(),
            new DefaultThreadFactory("ordo-sequencer", true),
            ProducerType.MULTI,
            new LiteTimeoutBlockingWaitStrategy(tickMs, TimeUnit.MILLISECONDS));
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
          public int nodeId() {
            return config.nodeId();
          }
        };
    this.acceptor = new NioEventLoopGroup(1, new DefaultThreadFactory("ordo-accept", true));
    this.workers =
        new NioEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("ordo-io", true));
    try {
      this.serverChannel =
          new ServerBootstrap()
              .group(acceptor, workers)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 1024)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast("frames", new FrameDecoder(config.maxFrameBytes()))
                          .addLast("requests", new ClientConnection(config, sink));
                    }
                  })
              .bind(config.host(), config.port())
              .sync()
              .channel();
    } catch (RuntimeException | InterruptedException e) {
      shutdownEventLoops();
      disruptor.shutdown();
      log.close();
      throw e;
    }
    LOG.info("node {} listening on {}", config.nodeId(), address());
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

  /** Offset the next append gets (for tools and tests). */
  public long nextOffset() {
    return log.nextOffset();
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
    sequencer.flushAndAcknowledge();
    sequencer.failPending(ErrorCode.BROKER_UNAVAILABLE);
    shutdownEventLoops();
    log.close();
    LOG.info("node {} stopped", config.nodeId());
  }

  private void shutdownEventLoops() {
    acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
