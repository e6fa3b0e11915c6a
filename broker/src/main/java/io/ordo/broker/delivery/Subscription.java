package io.ordo.broker.delivery;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.ordo.broker.storage.Log;
import io.ordo.broker.storage.LogSlice;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.wire.ReadMessages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection's subscription: pushes the batches its filter matches, in log order, from its next
 * offset up to the commit offset, while it has credit (bytes the consumer granted) and the channel
 * is writable. Batches go out as DELIVERY frames: a small header buffer, then the run of matching
 * batches straight from the segment file ({@link SegmentRegion}). Matching is decided by reading
 * each batch's header from the file; a contiguous run of matching batches is one frame.
 *
 * <p>What the broker holds per slow consumer is bounded: nothing is read unless there is credit,
 * and nothing more is queued once the channel's write buffer is above its high water mark (file
 * regions count there by their size, but hold no heap).
 *
 * <p>Threading: every method but {@link #wake} runs on the channel's event loop.
 */
public final class Subscription {
  /** What the subscription reports to its connection (on the event loop). */
  public interface Listener {
    /** Delivery cannot go on (fell behind retention, a corrupt batch, a storage error). */
    void onDeliveryFailed(ErrorCode code, String message);
  }

  private final Channel channel;
  private final Log log;
  private final CommitWatch watch;
  private final StreamFilter filter;
  private final DeliveryConfig config;
  private final Listener listener;
  private final AtomicBoolean wakeScheduled = new AtomicBoolean();
  private final BatchHeaderReader headers = new BatchHeaderReader();
  private final Runnable pumpTask = this::pump;
  private long nextOffset;
  private long creditBytes;
  private boolean closed;
  private long deliveredBytes;

  Subscription(
      Channel channel,
      Log log,
      CommitWatch watch,
      StreamFilter filter,
      DeliveryConfig config,
      Listener listener,
      long startOffset,
      long initialCreditBytes) {
    this.channel = channel;
    this.log = log;
    this.watch = watch;
    this.filter = filter;
    this.config = config;
    this.listener = listener;
    this.nextOffset = startOffset;
    this.creditBytes = initialCreditBytes;
  }

  /** Adds credit and sends what it allows. */
  public void grant(long bytes) {
    creditBytes = Math.min(creditBytes + bytes, Long.MAX_VALUE / 2);
    pump();
  }

  /** Any thread: schedule a pump on the event loop unless one is already scheduled. */
  void wake() {
    if (!closed && wakeScheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(pumpTask);
    }
  }

  public void close() {
    closed = true;
    watch.unregister(this);
  }

  public long nextOffset() {
    return nextOffset;
  }

  public long deliveredBytes() {
    return deliveredBytes;
  }

  /** Sends while there is credit, room in the channel and committed data. */
  public void pump() {
    wakeScheduled.set(false);
    if (closed) {
      return;
    }
    boolean wrote = false;
    try {
      long scanned = 0;
      while (creditBytes > 0 && channel.isWritable()) {
        long limit = watch.commitOffset();
        if (nextOffset >= limit) {
          break;
        }
        if (scanned >= config.scanBudgetBytes()) {
          wake(); // let other channels on this loop have a turn
          break;
        }
        int max = (int) Math.min(creditBytes, config.maxFrameBatchBytes());
        LogSlice slice = log.read(nextOffset, max, limit);
        if (slice.isEmpty()) {
          break;
        }
        scanned += slice.length();
        wrote |= sendMatching(slice);
      }
    } catch (OrdoException e) {
      fail(e.errorCode(), describe(e));
    } catch (IOException e) {
      fail(ErrorCode.STORAGE_ERROR, "reading the log failed: " + e.getMessage());
    } finally {
      if (wrote) {
        channel.flush();
      }
    }
  }

  private String describe(OrdoException e) {
    if (e.errorCode() == ErrorCode.OFFSET_OUT_OF_RANGE && nextOffset < log.startOffset()) {
      return "the subscription at offset "
          + nextOffset
          + " fell behind the retention horizon: the log now starts at "
          + log.startOffset();
    }
    return e.detail();
  }

  private void fail(ErrorCode code, String message) {
    close();
    listener.onDeliveryFailed(code, message);
  }

  private boolean sendMatching(LogSlice slice) throws IOException {
    FileChannel file = slice.channel();
    long pos = slice.position();
    long end = pos + slice.length();
    long runStart = -1;
    int runBytes = 0;
    boolean wrote = false;
    while (pos < end) {
      ByteBuffer header = headers.read(file, pos, end);
      int length = header.getInt(RecordBatch.LENGTH_OFFSET);
      long base = header.getLong(RecordBatch.BASE_OFFSET_OFFSET);
      int count = header.getInt(RecordBatch.RECORD_COUNT_OFFSET);
      if (filter.matches(header)) {
        if (runStart < 0) {
          runStart = pos;
        }
        runBytes += length;
      } else if (runStart >= 0) {
        send(file, runStart, runBytes, base);
        wrote = true;
        runStart = -1;
        runBytes = 0;
      }
      pos += length;
      nextOffset = base + count;
    }
    if (runStart >= 0) {
      send(file, runStart, runBytes, nextOffset);
      wrote = true;
    }
    return wrote;
  }

  private void send(FileChannel file, long position, int bytes, long nextAfter) {
    ByteBuf head = channel.alloc().ioBuffer(ReadMessages.DELIVERY_OVERHEAD);
    ReadMessages.writeDeliveryHeader(head, nextAfter, bytes);
    channel.write(head, channel.voidPromise());
    channel.write(new SegmentRegion(file, position, bytes), channel.voidPromise());
    creditBytes -= bytes;
    deliveredBytes += bytes;
  }
}
