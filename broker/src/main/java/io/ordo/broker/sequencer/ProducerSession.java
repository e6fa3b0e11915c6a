package io.ordo.broker.sequencer;

import java.util.ArrayList;
import java.util.List;

/**
 * One producer's idempotence state: its current epoch, the last sequence stored, and the last
 * {@link #WINDOW} batches it stored (so a retry is answered with its original offsets).
 *
 * <p>Owned by the sequencer thread (or the single thread replaying the log at start).
 */
final class ProducerSession {
  static final int WINDOW = 64;

  final long producerId;
  final String name;
  short epoch;
  int lastSequence = -1;

  /** Changed since the last checkpoint drain (see {@link ProducerSessions#drainChanged}). */
  boolean changed;

  private final int[] baseSequences = new int[WINDOW];
  private final int[] lastSequences = new int[WINDOW];
  private final long[] baseOffsets = new long[WINDOW];
  private final long[] baseStreamVersions = new long[WINDOW];
  private int size;
  private int next;

  ProducerSession(long producerId, String name, short epoch) {
    this.producerId = producerId;
    this.name = name;
    this.epoch = epoch;
  }

  /** A new epoch starts a fresh sequence. */
  void startEpoch(short newEpoch) {
    epoch = newEpoch;
    lastSequence = -1;
    size = 0;
    next = 0;
  }

  void recordBatch(int baseSequence, int lastSeq, long baseOffset, long baseStreamVersion) {
    baseSequences[next] = baseSequence;
    lastSequences[next] = lastSeq;
    baseOffsets[next] = baseOffset;
    baseStreamVersions[next] = baseStreamVersion;
    next = (next + 1) % WINDOW;
    size = Math.min(size + 1, WINDOW);
    lastSequence = lastSeq;
  }

  /** Index into the window of a stored batch with exactly these sequences, or -1. */
  int find(int baseSequence, int lastSeq) {
    for (int k = 0; k < size; k++) {
      int i = Math.floorMod(next - 1 - k, WINDOW);
      if (baseSequences[i] == baseSequence && lastSequences[i] == lastSeq) {
        return i;
      }
    }
    return -1;
  }

  long baseOffsetAt(int i) {
    return baseOffsets[i];
  }

  long baseStreamVersionAt(int i) {
    return baseStreamVersions[i];
  }

  int windowSize() {
    return size;
  }

  /** Index into the window arrays of entry {@code k}, oldest first. */
  private int oldestFirst(int k) {
    return Math.floorMod(next - size + k, WINDOW);
  }

  int windowBaseSequence(int k) {
    return baseSequences[oldestFirst(k)];
  }

  int windowLastSequence(int k) {
    return lastSequences[oldestFirst(k)];
  }

  long windowBaseOffset(int k) {
    return baseOffsets[oldestFirst(k)];
  }

  long windowBaseStreamVersion(int k) {
    return baseStreamVersions[oldestFirst(k)];
  }

  /** A copy of this session's state, window oldest first. */
  ProducerSessions.SessionSnapshot snapshot() {
    List<ProducerSessions.WindowEntry> window = new ArrayList<>(size);
    for (int k = size - 1; k >= 0; k--) {
      int i = Math.floorMod(next - 1 - k, WINDOW);
      window.add(
          new ProducerSessions.WindowEntry(
              baseSequences[i], lastSequences[i], baseOffsets[i], baseStreamVersions[i]));
    }
    return new ProducerSessions.SessionSnapshot(producerId, name, epoch, lastSequence, window);
  }

  /** Rebuilds a session from {@link #snapshot}. */
  static ProducerSession restore(ProducerSessions.SessionSnapshot snapshot) {
    ProducerSession s =
        new ProducerSession(snapshot.producerId(), snapshot.name(), snapshot.epoch());
    for (ProducerSessions.WindowEntry e : snapshot.window()) {
      s.recordBatch(e.baseSequence(), e.lastSequence(), e.baseOffset(), e.baseStreamVersion());
    }
    s.lastSequence = snapshot.lastSequence();
    return s;
  }
}
