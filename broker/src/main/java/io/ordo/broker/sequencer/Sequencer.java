package io.ordo.broker.sequencer;

import com.lmax.disruptor.EventHandler;
import io.ordo.broker.groups.GroupControl;
import io.ordo.broker.groups.GroupOffsets;
import io.ordo.broker.groups.MemoryGroupOffsets;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordBatchBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only writer of the log. For each request from the ring it checks the producer session, stamps
 * base offset, term, stream version, the stream's previous batch and the append time into each
 * batch header in place, and collects the batch into the current group. The Disruptor's
 * end-of-batch signal closes the group: one gathering write, one fsync (per the log's policy), then
 * one pass that acknowledges every request now durable, in arrival order.
 *
 * <p>Runs on the Disruptor's single consumer thread; nothing else touches its state.
 */
public final class Sequencer implements EventHandler<AppendEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(Sequencer.class);

  private final SequencedLog log;
  private final ProducerSessions sessions;
  private final StreamVersions streams;
  private final LongSupplier clockMs;
  private final long term;

  private final ByteBuffer[] group;
  private int groupSize;
  private final ArrayDeque<ProduceRequest> unwritten = new ArrayDeque<>();
  private final ArrayDeque<ProduceRequest> awaitingDurability = new ArrayDeque<>();
  private final ArrayDeque<GroupRequest> groupsUnwritten = new ArrayDeque<>();
  private final ArrayDeque<GroupRequest> groupsAwaitingDurability = new ArrayDeque<>();
  private final GroupOffsets groupOffsets;
  private final LongConsumer commitListener;
  private final RecordBatch view = new RecordBatch();
  private final RecordBatchBuilder controlBuilder = new RecordBatchBuilder(4096);

  private long nextOffset;
  private long lastAppendTimestampMs;
  private boolean failed;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private WriteStats stats = new WriteStats(0, 0, line -> {});

  /**
   * @param maxGroupBatches most batches in one write; a request never has more (the server caps the
   *     batches per request at this)
   */
  public Sequencer(
      SequencedLog log,
      ProducerSessions sessions,
      StreamVersions streams,
      LongSupplier clockMs,
      long term,
      int maxGroupBatches) {
    this(
        log,
        sessions,
        streams,
        new MemoryGroupOffsets(),
        offset -> {},
        clockMs,
        term,
        maxGroupBatches);
  }

  /**
   * @param groupOffsets the group generations and offsets replayed from the log; the sequencer
   *     folds in every group control batch it writes
   * @param commitListener told (on this thread) each time the offset below which everything is
   *     acknowledged may have moved: the delivery side hands out records below it
   */
  public Sequencer(
      SequencedLog log,
      ProducerSessions sessions,
      StreamVersions streams,
      GroupOffsets groupOffsets,
      LongConsumer commitListener,
      LongSupplier clockMs,
      long term,
      int maxGroupBatches) {
    this.groupOffsets = groupOffsets;
    this.commitListener = commitListener;
    this.log = log;
    this.sessions = sessions;
    this.streams = streams;
    this.clockMs = clockMs;
    this.term = term;
    this.group = new ByteBuffer[maxGroupBatches];
    this.nextOffset = log.nextOffset();
  }

  /**
   * Logs, every {@code intervalMs} (0: never), where produce requests spent their time in the node
   * ({@link WriteStats}). Call before the ring starts.
   */
  public Sequencer reportWriteStatsEvery(long intervalMs) {
    stats = new WriteStats(intervalMs, System.nanoTime(), LOG::info);
    return this;
  }

  @Override
  public void onEvent(AppendEvent event, long sequence, boolean endOfBatch) {
    ProduceRequest request = event.request;
    event.request = null;
    GroupRequest groupRequest = event.groupRequest;
    event.groupRequest = null;
    if (groupRequest != null) {
      if (failed) {
        groupRequest.error = ErrorCode.STORAGE_ERROR;
        respond(groupRequest);
      } else {
        if (groupSize + 1 > group.length) {
          closeGroup();
        }
        sequenceGroupRequest(groupRequest);
      }
    } else if (failed) {
      failRequest(request, ErrorCode.STORAGE_ERROR);
    } else {
      int needed = request.kind == ProduceRequest.Kind.PRODUCE ? request.batchCount : 1;
      if (groupSize + needed > group.length) {
        closeGroup();
      }
      if (request.kind == ProduceRequest.Kind.PRODUCE) {
        sequenceProduce(request);
      } else {
        sequenceInit(request);
      }
    }
    if (endOfBatch) {
      closeGroup();
    }
  }

  /** The ring's thread is leaving the sequencer for good (called on that thread, last). */
  @Override
  public void onShutdown() {
    stopped.countDown();
  }

  /**
   * After the Disruptor's shutdown, which halts the ring's thread without waiting for it: waits
   * until that thread has left the sequencer, so that the caller may take over its state. False if
   * it did not within {@code timeoutMs}.
   */
  public boolean awaitStopped(long timeoutMs) throws InterruptedException {
    return stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onTimeout(long sequence) {
    if (failed) {
      return;
    }
    try {
      log.onGroupEnd(clockMs.getAsLong());
    } catch (IOException e) {
      storageFailed(e);
      return;
    }
    acknowledgeDurable();
    reportStatsWhenDue();
  }

  private void sequenceProduce(ProduceRequest request) {
    if (stats.enabled()) {
      stats.sequenced(request.receivedNs, System.nanoTime());
    }
    long ackOffset = 0;
    long now = appendTimestamp();
    for (int i = 0; i < request.batchCount; i++) {
      if (request.errors[i] != ErrorCode.NONE) {
        continue;
      }
      ByteBuffer bb =
          request
              .frame
              .nioBuffer(request.batchIndex[i], request.batchLength[i])
              .order(ByteOrder.LITTLE_ENDIAN);
      view.wrap(bb, 0);
      switch (sessions.check(view)) {
        case DUPLICATE:
          request.baseOffsets[i] = sessions.duplicateBaseOffset();
          request.baseStreamVersions[i] = sessions.duplicateBaseStreamVersion();
          ackOffset = Math.max(ackOffset, request.baseOffsets[i] + view.recordCount());
          break;
        case REFUSE:
          request.errors[i] = sessions.refusal();
          break;
        case STORE:
          stamp(view, now);
          request.baseOffsets[i] = view.baseOffset();
          request.baseStreamVersions[i] = view.baseStreamVersion();
          group[groupSize++] = bb;
          ackOffset = nextOffset;
          break;
        default:
          throw new IllegalStateException();
      }
    }
    request.ackOffset = ackOffset;
    unwritten.add(request);
  }

  private void sequenceInit(ProduceRequest request) {
    long id = sessions.idFor(request.producerName);
    short epoch = sessions.nextEpoch(id);
    appendControlBatch(
        ProducerSessions.CONTROL_STREAM,
        id,
        epoch,
        request.producerName.getBytes(StandardCharsets.UTF_8),
        null);
    request.producerId = id;
    request.producerEpoch = epoch;
    request.ackOffset = nextOffset;
    unwritten.add(request);
  }

  private void sequenceGroupRequest(GroupRequest r) {
    switch (r.kind) {
      case LIST_STREAMS:
        r.streams = streams.list(r.prefix);
        r.logNextOffset = nextOffset;
        respond(r);
        return;
      case ACTIVATE:
        r.generation = groupOffsets.generation(r.group, r.subscription) + 1;
        r.committedOffset = groupOffsets.committed(r.group, r.subscription);
        appendGroupControl(GroupControl.GROUPS_STREAM, r, r.generation, -1);
        return;
      case COMMIT:
        int current = groupOffsets.generation(r.group, r.subscription);
        if (r.requestGeneration != current) {
          r.error = ErrorCode.STALE_GENERATION;
          respond(r);
        } else if (r.offset < 0 || r.offset > nextOffset) {
          r.error = ErrorCode.INVALID_REQUEST;
          respond(r);
        } else {
          appendGroupControl(GroupControl.OFFSETS_STREAM, r, r.requestGeneration, r.offset);
        }
        return;
      default:
        throw new IllegalStateException();
    }
  }

  private void appendGroupControl(String stream, GroupRequest r, int generation, long offset) {
    appendControlBatch(
        stream,
        RecordBatch.NO_PRODUCER_ID,
        (short) 0,
        GroupControl.key(r.group),
        GroupControl.value(r.subscription, generation, offset, r.member));
    r.ackOffset = nextOffset;
    groupsUnwritten.add(r);
  }

  /**
   * Builds a one-record control batch written by the leader itself, stamps it (which folds it into
   * the derived state) and adds it to the current group.
   */
  private void appendControlBatch(
      String stream, long producerId, short epoch, byte[] key, byte[] value) {
    controlBuilder.begin(stream, producerId, epoch, -1, Compression.NONE, true);
    controlBuilder.tryAppend(clockMs.getAsLong(), key, value, null);
    ByteBuffer built = controlBuilder.build();
    ByteBuffer copy = ByteBuffer.allocateDirect(built.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    copy.put(built).flip();
    view.wrap(copy, 0);
    stamp(view, appendTimestamp());
    group[groupSize++] = copy;
  }

  private static void respond(GroupRequest r) {
    try {
      r.onComplete.accept(r);
    } catch (RuntimeException e) {
      LOG.warn("could not deliver a response for a {} request", r.kind, e);
    }
  }

  /** Stamps the leader's fields and folds the batch into every piece of derived state. */
  private void stamp(RecordBatch batch, long appendTimestampMs) {
    StreamVersions.StreamState stream = streams.stateFor(batch.streamName());
    batch.stamp(nextOffset, term, stream.nextVersion, stream.lastBatchOffset, appendTimestampMs);
    nextOffset += batch.recordCount();
    // The same folds the node replays at start, so live and replayed state cannot differ.
    streams.apply(stream, batch);
    sessions.apply(batch);
    groupOffsets.apply(batch);
  }

  private long appendTimestamp() {
    long now = Math.max(clockMs.getAsLong(), lastAppendTimestampMs);
    lastAppendTimestampMs = now;
    return now;
  }

  private void closeGroup() {
    if (failed) {
      return;
    }
    int batches = groupSize;
    long startNs = stats.enabled() ? System.nanoTime() : 0;
    long writtenNs = startNs;
    try {
      if (groupSize > 0) {
        log.append(group, groupSize);
        writtenNs = stats.enabled() ? System.nanoTime() : 0;
      }
      for (ProduceRequest r : unwritten) {
        r.releaseFrame();
        awaitingDurability.add(r);
      }
      unwritten.clear();
      groupsAwaitingDurability.addAll(groupsUnwritten);
      groupsUnwritten.clear();
      Arrays.fill(group, 0, groupSize, null);
      groupSize = 0;
      log.onGroupEnd(clockMs.getAsLong());
    } catch (IOException | RuntimeException e) {
      storageFailed(e);
      return;
    }
    if (batches > 0 && stats.enabled()) {
      stats.groupWritten(batches, writtenNs - startNs, System.nanoTime() - writtenNs);
    }
    acknowledgeDurable();
    reportStatsWhenDue();
  }

  private void reportStatsWhenDue() {
    if (stats.enabled()) {
      stats.maybeReport(System.nanoTime());
    }
  }

  private void acknowledgeDurable() {
    long limit = log.acksWaitForFsync() ? log.durableOffset() : log.nextOffset();
    boolean timed = stats.enabled() && !awaitingDurability.isEmpty();
    long nowNs = timed ? System.nanoTime() : 0;
    while (!awaitingDurability.isEmpty() && awaitingDurability.peek().ackOffset <= limit) {
      ProduceRequest r = awaitingDurability.poll();
      if (timed && r.kind == ProduceRequest.Kind.PRODUCE) {
        stats.answered(r.receivedNs, nowNs);
      }
      respond(r);
    }
    while (!groupsAwaitingDurability.isEmpty()
        && groupsAwaitingDurability.peek().ackOffset <= limit) {
      respond(groupsAwaitingDurability.poll());
    }
    commitListener.accept(limit);
  }

  private void failGroupRequests(ErrorCode code) {
    for (ArrayDeque<GroupRequest> q :
        java.util.List.of(groupsUnwritten, groupsAwaitingDurability)) {
      while (!q.isEmpty()) {
        GroupRequest r = q.poll();
        r.error = code;
        respond(r);
      }
    }
  }

  private static void respond(ProduceRequest r) {
    try {
      if (r.kind == ProduceRequest.Kind.PRODUCE) {
        r.responder.onProduceComplete(r);
      } else {
        r.responder.onInitProducerComplete(r);
      }
    } catch (RuntimeException e) {
      LOG.warn("could not deliver a response for request {}", r.correlationId, e);
    }
  }

  /**
   * The log is in an unknown state after a failed write: refuse everything from now on. What was
   * acknowledged is durable; the rest is answered with STORAGE_ERROR, and a restart recovers the
   * log and replays the derived state from it.
   */
  private void storageFailed(Exception e) {
    LOG.error("log write failed; the node refuses further appends until restarted", e);
    failed = true;
    groupSize = 0;
    for (ProduceRequest r : unwritten) {
      failRequest(r, ErrorCode.STORAGE_ERROR);
    }
    unwritten.clear();
    while (!awaitingDurability.isEmpty()) {
      failRequest(awaitingDurability.poll(), ErrorCode.STORAGE_ERROR);
    }
    failGroupRequests(ErrorCode.STORAGE_ERROR);
  }

  private static void failRequest(ProduceRequest r, ErrorCode code) {
    r.releaseFrame();
    if (r.kind == ProduceRequest.Kind.PRODUCE) {
      for (int i = 0; i < r.batchCount; i++) {
        if (r.errors[i] == ErrorCode.NONE) {
          r.errors[i] = code;
          r.baseOffsets[i] = -1;
          r.baseStreamVersions[i] = -1;
        }
      }
    } else {
      r.initError = code;
    }
    respond(r);
  }

  /**
   * On shutdown, after the ring is drained and its thread has stopped: makes everything written
   * durable and acknowledges it, so a clean stop never leaves a written append unanswered.
   */
  public void flushAndAcknowledge() {
    if (failed) {
      return;
    }
    try {
      log.flush();
    } catch (IOException e) {
      storageFailed(e);
      return;
    }
    acknowledgeDurable();
  }

  /** Fails what is still waiting (called on shutdown, after the ring is drained). */
  public void failPending(ErrorCode code) {
    for (ProduceRequest r : unwritten) {
      failRequest(r, code);
    }
    unwritten.clear();
    while (!awaitingDurability.isEmpty()) {
      failRequest(awaitingDurability.poll(), code);
    }
    failGroupRequests(code);
  }

  public long nextOffset() {
    return nextOffset;
  }
}
