package io.ordo.producer;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.Consumer;

/**
 * Groups records into one open batch per stream and decides when a batch is sealed: when the next
 * record would not fit, when the batch has lingered long enough, or on flush. Sealed batches wait
 * in seal order until the sender encodes them. Open batches are kept in creation order, so the
 * oldest is always first.
 *
 * <p>With {@code crossStreamOrder}, at most one batch is open: a record for another stream seals
 * it, so batches (and therefore the log) keep the order in which records were sent even across
 * streams.
 *
 * <p>I/O thread only. Time comes in as {@code nowNs}.
 */
final class BatchAccumulator {
  private final long lingerNs;
  private final boolean crossStreamOrder;
  private final LinkedHashMap<String, ProducerBatch> open = new LinkedHashMap<>();
  private final ArrayDeque<ProducerBatch> sealed = new ArrayDeque<>();
  private int batchLimitBytes;
  private long nextSerial;
  private ProducerBatch lastAppended;

  BatchAccumulator(int batchLimitBytes, long lingerNs, boolean crossStreamOrder) {
    this.batchLimitBytes = batchLimitBytes;
    this.lingerNs = lingerNs;
    this.crossStreamOrder = crossStreamOrder;
  }

  /** The largest batch to build from now on (already sealed batches keep their size). */
  void batchLimitBytes(int limit) {
    this.batchLimitBytes = limit;
  }

  int batchLimitBytes() {
    return batchLimitBytes;
  }

  void append(PendingRecord r, long nowNs) {
    ProducerBatch b = lastAppended;
    if (b == null || !b.stream.equals(r.stream)) {
      if (crossStreamOrder && b != null) {
        seal(b);
      }
      b = open.get(r.stream);
      if (b == null) {
        b = openBatch(r.stream, nowNs);
      }
    }
    if (!b.tryAdd(r, batchLimitBytes)) {
      seal(b);
      b = openBatch(r.stream, nowNs);
      b.tryAdd(r, batchLimitBytes);
    }
    lastAppended = b;
  }

  private ProducerBatch openBatch(String stream, long nowNs) {
    ProducerBatch b =
        new ProducerBatch(stream, RecordSize.utf8Length(stream), nextSerial++, nowNs, 16);
    open.put(stream, b);
    return b;
  }

  private void seal(ProducerBatch b) {
    open.remove(b.stream);
    sealed.addLast(b);
    if (lastAppended == b) {
      lastAppended = null;
    }
  }

  /** Seals every open batch that has lingered for {@code lingerNs}. */
  void sealLingered(long nowNs) {
    Iterator<ProducerBatch> it = open.values().iterator();
    while (it.hasNext()) {
      ProducerBatch b = it.next();
      if (nowNs - b.createdNs < lingerNs) {
        break;
      }
      it.remove();
      sealed.addLast(b);
      if (lastAppended == b) {
        lastAppended = null;
      }
    }
  }

  /** Seals every open batch, oldest first. */
  void sealAll() {
    for (ProducerBatch b : open.values()) {
      sealed.addLast(b);
    }
    open.clear();
    lastAppended = null;
  }

  /** When the oldest open batch will have lingered enough, or {@link Long#MAX_VALUE}. */
  long nextLingerDeadlineNs() {
    if (open.isEmpty()) {
      return Long.MAX_VALUE;
    }
    return open.values().iterator().next().createdNs + lingerNs;
  }

  ProducerBatch peekSealed() {
    return sealed.peekFirst();
  }

  ProducerBatch pollSealed() {
    return sealed.pollFirst();
  }

  /** Puts back the unsent rest of a batch that was split, ahead of everything else. */
  void returnSealed(ProducerBatch rest) {
    sealed.addFirst(rest);
  }

  boolean hasSealed() {
    return !sealed.isEmpty();
  }

  boolean isEmpty() {
    return open.isEmpty() && sealed.isEmpty();
  }

  /** Serial of the newest batch created so far (-1 before the first). */
  long lastSerial() {
    return nextSerial - 1;
  }

  /** Smallest serial of a batch held here, or {@link Long#MAX_VALUE}. */
  long minSerial() {
    long min = Long.MAX_VALUE;
    for (ProducerBatch b : open.values()) {
      min = Math.min(min, b.serial);
    }
    for (ProducerBatch b : sealed) {
      min = Math.min(min, b.serial);
    }
    return min;
  }

  /** Removes every batch created at or before {@code deadlineNs}, passing each to {@code sink}. */
  void removeCreatedBefore(long deadlineNs, Consumer<ProducerBatch> sink) {
    Iterator<ProducerBatch> it = open.values().iterator();
    while (it.hasNext()) {
      ProducerBatch b = it.next();
      if (b.createdNs - deadlineNs > 0) {
        break;
      }
      it.remove();
      if (lastAppended == b) {
        lastAppended = null;
      }
      sink.accept(b);
    }
    sealed.removeIf(
        b -> {
          if (b.createdNs - deadlineNs <= 0) {
            sink.accept(b);
            return true;
          }
          return false;
        });
  }

  /** Removes every batch, sealed ones first, passing each to {@code sink}. */
  void removeAll(Consumer<ProducerBatch> sink) {
    sealAll();
    ProducerBatch b;
    while ((b = sealed.pollFirst()) != null) {
      sink.accept(b);
    }
  }
}
