package io.ordo.perf.platform;

import io.ordo.perf.BenchArgs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The least an acknowledged durable write costs on this machine: the floor under {@code ordo perf
 * produce}'s ack latency, measured the same way. Three threads in one JVM and nothing else: a
 * sender that offers records at {@code --rate}, packs them into batches of up to {@code
 * --batch-bytes} (lingering up to {@code --linger-us}) and writes each batch to a loopback TCP
 * socket as one frame; a server that reads whatever has arrived, appends the complete frames to a
 * prepared (zero-filled) file with one write, fdatasyncs it and answers one 8-byte ack per frame
 * (group commit with no queue, no decoding, no checks); and a reader of the acks that records, per
 * record, the time from its send to its ack, as {@code perf produce} does. No broker does less than
 * this per acknowledgement, so a p99 this tool measures is a p99 no broker reaches here, with its
 * load generator on the same cores.
 *
 * <p>{@code --handoffs} adds the thread hand-offs Ordo's design has, to price them alone: {@code
 * server} splits the server into an I/O thread (selector, frames split and queued) and a writer
 * (takes all that is queued, appends, fdatasyncs, hands the acks back and wakes the selector), as
 * the node's I/O thread, ring and sequencer do; {@code client} puts an I/O thread between the
 * sender and the socket and a callback thread after the ack reader, as the producer library does;
 * {@code both} does both. {@code pipelined} is {@code server} with the fdatasync on a thread of its
 * own, so the writer goes on writing during an fsync (the next fsync takes all written since).
 *
 * <p>Several modes ({@code --handoffs none,server,client,both}) take turns within each round, and
 * with more than one round the tool ends with each mode's medians.
 *
 * <pre>
 * java -cp perf/target/benchmarks.jar io.ordo.perf.platform.WritePathFloor \
 *     --dir /var/tmp --rate 500000 --seconds 6 --warmup-seconds 3 --rounds 5 \
 *     --handoffs none,server,client,both
 * </pre>
 */
public final class WritePathFloor {
  private static final int FRAME_HEADER = Integer.BYTES + Long.BYTES;
  private static final int RECORD_HEADER = Integer.BYTES;
  private static final long MAX_LATENCY_US = 60_000_000L;
  private static final int POOL = 256;

  private WritePathFloor() {}

  public static void main(String[] args) throws Exception {
    String usage =
        "WritePathFloor --dir DIR [--rate N] [--record-size B] [--batch-bytes N] [--linger-us N]"
            + " [--seconds N] [--warmup-seconds N] [--rounds N] [--fsync true|false]"
            + " [--handoffs MODE[,MODE...]] (MODE: none, server, client, both, pipelined)";
    BenchArgs a =
        BenchArgs.parse(
            args,
            usage,
            "--dir",
            "--rate",
            "--record-size",
            "--batch-bytes",
            "--linger-us",
            "--seconds",
            "--warmup-seconds",
            "--rounds",
            "--fsync",
            "--handoffs");
    List<Settings> settings = new ArrayList<>();
    for (String mode : a.string("--handoffs", "none").split(",")) {
      settings.add(
          new Settings(
              a.longValue("--rate", 500_000),
              a.intValue("--record-size", 100),
              a.intValue("--batch-bytes", 32 * 1024),
              a.longValue("--linger-us", 1000) * 1000,
              a.intValue("--seconds", 10),
              a.intValue("--warmup-seconds", 4),
              Boolean.parseBoolean(a.string("--fsync", "true")),
              Handoffs.parse(mode, usage)));
    }
    Settings first = settings.get(0);
    if (first.rate <= 0
        || first.recordSize < 0
        || first.batchBytes < first.recordSize + RECORD_HEADER) {
      throw new IllegalArgumentException("--rate must be > 0 and --batch-bytes hold one record");
    }
    int rounds = a.intValue("--rounds", 3);
    Path file = a.directory("--dir", usage).resolve("write-path-floor.bin");
    List<List<Histogram>> byMode = new ArrayList<>();
    settings.forEach(x -> byMode.add(new ArrayList<>()));
    // room for a round's records: every round overwrites prepared blocks, as the log does
    long prepared = first.records() * (first.recordSize + RECORD_HEADER) * 11 / 10;
    try (FileChannel log = ZeroFill.openPrepared(file, prepared)) {
      for (int r = 0; r < rounds; r++) {
        // the modes take turns within a round, so that each sees the same minutes of the machine
        for (int m = 0; m < settings.size(); m++) {
          Result result = round(log, settings.get(m));
          System.out.println(result.summary(settings.get(m)));
          byMode.get(m).add(result.latencyUs());
        }
      }
    } finally {
      Files.deleteIfExists(file);
    }
    if (rounds > 1) {
      for (int m = 0; m < settings.size(); m++) {
        System.out.printf(
            Locale.ROOT,
            "median of %d rounds, hand-offs %s: ack latency us p50 %d, p99 %d%n",
            rounds,
            settings.get(m).handoffs().label(),
            median(byMode.get(m), 50),
            median(byMode.get(m), 99));
      }
    }
  }

  private static long median(List<Histogram> rounds, double percentile) {
    long[] v =
        rounds.stream().mapToLong(h -> h.getValueAtPercentile(percentile)).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Which of Ordo's thread hand-offs the floor gets (see the class comment). */
  private enum Handoffs {
    NONE,
    SERVER,
    CLIENT,
    BOTH,
    PIPELINED;

    static Handoffs parse(String mode, String usage) {
      try {
        return valueOf(mode.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(usage, e);
      }
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    boolean server() {
      return this == SERVER || this == BOTH || this == PIPELINED;
    }

    boolean client() {
      return this == CLIENT || this == BOTH;
    }
  }

  private record Settings(
      long rate,
      int recordSize,
      int batchBytes,
      long lingerNs,
      int seconds,
      int warmupSeconds,
      boolean fsync,
      Handoffs handoffs) {
    long records() {
      return rate * (seconds + warmupSeconds);
    }
  }

  private record Result(Histogram latencyUs, long groups, long frames, double offeredSeconds) {
    String summary(Settings s) {
      return String.format(
          Locale.ROOT,
          "floor: %d records at %d/s (fsync %s, hand-offs %s), %.1f batches per group; ack latency"
              + " us: p50 %d, p95 %d, p99 %d, p99.9 %d, max %d (%d measured, offered over %.1f s)",
          s.records(),
          s.rate,
          s.fsync ? "every group" : "never",
          s.handoffs.label(),
          frames / (double) Math.max(1, groups),
          latencyUs.getValueAtPercentile(50),
          latencyUs.getValueAtPercentile(95),
          latencyUs.getValueAtPercentile(99),
          latencyUs.getValueAtPercentile(99.9),
          latencyUs.getMaxValue(),
          latencyUs.getTotalCount(),
          offeredSeconds);
    }
  }

  /** A batch on its way: its frame and the send time of each of its records. */
  private static final class Batch {
    final ByteBuffer frame;
    final long[] sentNs;
    int count;

    Batch(int capacity, int batchBytes) {
      frame = ByteBuffer.allocateDirect(FRAME_HEADER + batchBytes);
      frame.position(FRAME_HEADER);
      sentNs = new long[capacity];
    }
  }

  /** A frame the server has read, on its way to the writer (with {@code --handoffs server}). */
  private record Frame(long batchId, ByteBuffer bytes) {}

  private static Result round(FileChannel log, Settings s) throws Exception {
    int perBatch = s.batchBytes / (s.recordSize + RECORD_HEADER);
    BlockingQueue<Batch> free = new ArrayBlockingQueue<>(POOL);
    BlockingQueue<Batch> inFlight = new ArrayBlockingQueue<>(POOL);
    for (int i = 0; i < POOL; i++) {
      free.add(new Batch(perBatch, s.batchBytes));
    }
    Histogram latency = new Histogram(MAX_LATENCY_US, 3);
    long[] groupsAndFrames = new long[2];
    try (ServerSocketChannel listen = ServerSocketChannel.open()) {
      listen.bind(new InetSocketAddress("127.0.0.1", 0));
      Thread server =
          start(
              "floor-server",
              () -> {
                if (s.handoffs.server()) {
                  serveWithWriter(listen, log, s, groupsAndFrames);
                } else {
                  serve(listen, log, s, groupsAndFrames);
                }
              });
      try (SocketChannel client = SocketChannel.open(listen.getLocalAddress())) {
        client.socket().setTcpNoDelay(true);
        long startNs = System.nanoTime();
        long measureFromNs = startNs + s.warmupSeconds * 1_000_000_000L;
        Consumer<Batch> complete =
            b -> {
              long now = System.nanoTime();
              for (int k = 0; k < b.count; k++) {
                if (b.sentNs[k] >= measureFromNs) {
                  latency.recordValue(Math.min((now - b.sentNs[k]) / 1000, MAX_LATENCY_US));
                }
              }
              b.count = 0;
              b.frame.clear().position(FRAME_HEADER);
              free.add(b);
            };
        long[] nextBatchId = {0}; // used by one thread at a time: the sender or floor-io
        Consumer<Batch> send = b -> writeFrame(client, b, nextBatchId[0]++, inFlight);
        Consumer<Batch> acked = complete;
        Thread callbacks = null;
        Thread io = null;
        if (s.handoffs.client()) {
          BlockingQueue<Batch> toCallbacks = new LinkedBlockingQueue<>();
          callbacks = start("floor-callbacks", () -> consume(toCallbacks, complete, s.records()));
          acked = toCallbacks::add;
          BlockingQueue<Batch> toIo = new LinkedBlockingQueue<>();
          Consumer<Batch> write = send;
          io = start("floor-io", () -> consume(toIo, write, -1));
          send = toIo::add;
        }
        Consumer<Batch> onAck = acked;
        Thread acks = start("floor-acks", () -> readAcks(client, inFlight, onAck, s.records()));
        offer(s, startNs, free, send);
        double offered = (System.nanoTime() - startNs) / 1e9;
        acks.join();
        if (callbacks != null) {
          callbacks.join();
        }
        client.shutdownOutput();
        server.join();
        if (io != null) {
          io.interrupt(); // it waits for a batch that will not come
          io.join();
        }
        synchronized (groupsAndFrames) {
          return new Result(latency, groupsAndFrames[0], groupsAndFrames[1], offered);
        }
      }
    }
  }

  private static Thread start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Runs {@code action} on batches from {@code queue}: {@code count} records, or until interrupted.
   */
  private static void consume(BlockingQueue<Batch> queue, Consumer<Batch> action, long records) {
    long done = 0;
    try {
      while (records < 0 || done < records) {
        Batch b = queue.take();
        done += b.count;
        action.accept(b);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The sender: records at the offered rate into batches, each handed to {@code send}. */
  private static void offer(
      Settings s, long startNs, BlockingQueue<Batch> free, Consumer<Batch> send)
      throws InterruptedException {
    byte[] value = new byte[s.recordSize];
    double intervalNs = 1e9 / s.rate;
    long total = s.records();
    Batch batch = free.take();
    for (long i = 0; i < total; i++) {
      long dueNs = startNs + (long) (i * intervalNs);
      if (batch.count > 0 && dueNs - batch.sentNs[0] > s.lingerNs) {
        // the batch's linger ends before this record is due: send it when it does
        awaitNanos(batch.sentNs[0] + s.lingerNs);
        send.accept(batch);
        batch = free.take();
      }
      long now = awaitNanos(dueNs);
      batch.frame.putInt(s.recordSize).put(value);
      batch.sentNs[batch.count++] = now;
      if (batch.sentNs.length == batch.count || i == total - 1) {
        send.accept(batch);
        batch = free.take();
      }
    }
  }

  private static long awaitNanos(long dueNs) {
    long now;
    while ((now = System.nanoTime()) < dueNs) {
      LockSupport.parkNanos(Math.min(dueNs - now, 100_000));
    }
    return now;
  }

  /** Writes a batch as one frame; only ever called from one thread at a time. */
  private static void writeFrame(
      SocketChannel ch, Batch b, long batchId, BlockingQueue<Batch> inFlight) {
    ByteBuffer frame = b.frame;
    frame.putInt(0, frame.position() - Integer.BYTES).putLong(Integer.BYTES, batchId);
    // a copy of the position: the ack may come, and the batch be reset, before the write returns
    ByteBuffer out = frame.duplicate().flip();
    inFlight.add(b);
    try {
      while (out.hasRemaining()) {
        ch.write(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The reader of acks: one 8-byte batch id per batch, in order; hands each batch on. */
  private static void readAcks(
      SocketChannel ch, BlockingQueue<Batch> inFlight, Consumer<Batch> acked, long records) {
    ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
    long done = 0;
    long expectedId = 0;
    try {
      while (done < records) {
        if (ch.read(in) < 0) {
          throw new IOException("server closed with " + (records - done) + " records unacked");
        }
        in.flip();
        while (in.remaining() >= Long.BYTES) {
          long id = in.getLong();
          if (id != expectedId) {
            throw new IllegalStateException("ack for batch " + id + ", expected " + expectedId);
          }
          expectedId++;
          Batch b = inFlight.remove();
          done += b.count;
          acked.accept(b);
        }
        in.compact();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The server: read what has arrived, append its complete frames, fdatasync, ack each frame. */
  private static void serve(
      ServerSocketChannel listen, FileChannel log, Settings s, long[] groupsAndFrames) {
    ByteBuffer in = ByteBuffer.allocateDirect(8 * 1024 * 1024);
    ByteBuffer acks = ByteBuffer.allocateDirect(in.capacity() / FRAME_HEADER * Long.BYTES);
    long pos = 0;
    long groups = 0;
    long frames = 0;
    try (SocketChannel ch = listen.accept()) {
      ch.socket().setTcpNoDelay(true);
      while (ch.read(in) >= 0) {
        acks.clear();
        int end = splitFrames(in, (at, length) -> acks.putLong(batchId(in, at)));
        if (end > 0) {
          pos = append(log, pos, s.fsync, in.duplicate().position(0).limit(end));
          acks.flip();
          frames += acks.remaining() / Long.BYTES;
          groups++;
          while (acks.hasRemaining()) {
            ch.write(acks);
          }
        }
        discard(in, end);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    synchronized (groupsAndFrames) {
      groupsAndFrames[0] = groups;
      groupsAndFrames[1] = frames;
    }
  }

  /** What {@link #splitFrames} calls for each complete frame: its start and whole length. */
  private interface FrameSink {
    void frame(int at, int length);
  }

  /**
   * Calls {@code sink} for every complete frame at the start of {@code in} (in write mode: the
   * bytes read are below its position); returns where the complete frames end.
   */
  private static int splitFrames(ByteBuffer in, FrameSink sink) {
    int end = 0;
    while (in.position() - end >= FRAME_HEADER) {
      int length = Integer.BYTES + in.getInt(end);
      if (in.position() - end < length) {
        break;
      }
      sink.frame(end, length);
      end += length;
    }
    return end;
  }

  private static long batchId(ByteBuffer in, int frameAt) {
    return in.getLong(frameAt + Integer.BYTES);
  }

  /** Drops the first {@code end} bytes read into {@code in}, keeping it ready for the next read. */
  private static void discard(ByteBuffer in, int end) {
    in.flip().position(end);
    in.compact();
  }

  private static long append(FileChannel log, long pos, boolean fsync, ByteBuffer... group)
      throws IOException {
    for (ByteBuffer b : group) {
      while (b.hasRemaining()) {
        pos += log.write(b, pos);
      }
    }
    if (fsync) {
      log.force(false);
    }
    return pos;
  }

  /**
   * With {@code --handoffs pipelined}: fdatasyncs whatever the writer has written since the last
   * one began, then hands those acks to the I/O thread, so the writer goes on writing during an
   * fsync (a group commit in two stages).
   */
  private static void syncGroups(
      FileChannel log,
      Settings s,
      BlockingQueue<long[]> written,
      Queue<Long> toIo,
      Selector selector) {
    List<long[]> groups = new ArrayList<>();
    try {
      while (true) {
        groups.add(written.take());
        written.drainTo(groups);
        if (s.fsync) {
          log.force(false);
        }
        boolean end = false;
        for (long[] ids : groups) {
          end |= ids.length == 0;
          for (long id : ids) {
            toIo.add(id);
          }
        }
        selector.wakeup();
        groups.clear();
        if (end) {
          return;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The server as Ordo's node is built: an I/O thread reads and splits frames and hands them to a
   * writer thread through a blocking queue (as the ring's blocking wait strategy wakes the
   * sequencer); the writer takes all that is queued, appends it, fdatasyncs, and hands the acks
   * back to the I/O thread, waking its selector (as a write from outside a Netty event loop does).
   */
  private static void serveWithWriter(
      ServerSocketChannel listen, FileChannel log, Settings s, long[] groupsAndFrames) {
    BlockingQueue<Frame> toWriter = new LinkedBlockingQueue<>();
    Queue<Long> toIo = new ConcurrentLinkedQueue<>();
    try (SocketChannel ch = listen.accept();
        Selector selector = Selector.open()) {
      ch.socket().setTcpNoDelay(true);
      ch.configureBlocking(false);
      ch.register(selector, SelectionKey.OP_READ);
      Thread writer =
          start(
              "floor-writer", () -> writeGroups(log, s, toWriter, toIo, selector, groupsAndFrames));
      ByteBuffer in = ByteBuffer.allocateDirect(8 * 1024 * 1024);
      ByteBuffer acks = ByteBuffer.allocateDirect(64 * 1024);
      boolean open = true;
      while (open || writer.isAlive()) {
        selector.select(100);
        selector.selectedKeys().clear();
        int n;
        while (open && (n = ch.read(in)) != 0) {
          if (n < 0) {
            open = false;
            toWriter.add(new Frame(-1, null));
            break;
          }
          int end =
              splitFrames(
                  in,
                  (at, length) -> {
                    ByteBuffer copy = ByteBuffer.allocateDirect(length);
                    copy.put(in.duplicate().position(at).limit(at + length)).flip();
                    toWriter.add(new Frame(batchId(in, at), copy));
                  });
          discard(in, end);
        }
        Long id;
        while ((id = toIo.poll()) != null) {
          acks.clear();
          acks.putLong(id).flip();
          while (acks.hasRemaining()) {
            ch.write(acks);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeGroups(
      FileChannel log,
      Settings s,
      BlockingQueue<Frame> toWriter,
      Queue<Long> toIo,
      Selector selector,
      long[] groupsAndFrames) {
    List<Frame> group = new ArrayList<>();
    long pos = 0;
    long groups = 0;
    long frames = 0;
    BlockingQueue<long[]> synced = new LinkedBlockingQueue<>();
    Thread syncer =
        s.handoffs == Handoffs.PIPELINED
            ? start("floor-syncer", () -> syncGroups(log, s, synced, toIo, selector))
            : null;
    try {
      while (true) {
        group.add(toWriter.take());
        toWriter.drainTo(group);
        boolean last = group.get(group.size() - 1).bytes() == null;
        if (last) {
          group.remove(group.size() - 1);
        }
        if (!group.isEmpty()) {
          ByteBuffer[] bytes = group.stream().map(Frame::bytes).toArray(ByteBuffer[]::new);
          if (s.handoffs == Handoffs.PIPELINED) {
            pos = append(log, pos, false, bytes);
            synced.add(group.stream().mapToLong(Frame::batchId).toArray());
          } else {
            pos = append(log, pos, s.fsync, bytes);
            for (Frame f : group) {
              toIo.add(f.batchId());
            }
            selector.wakeup();
          }
          groups++;
          frames += group.size();
          group.clear();
        }
        if (last) {
          break;
        }
      }
      if (syncer != null) {
        synced.add(new long[0]); // the end
        syncer.join();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (groupsAndFrames) {
      groupsAndFrames[0] = groups;
      groupsAndFrames[1] = frames;
    }
  }
}
