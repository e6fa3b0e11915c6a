package io.ordo.broker.sequencer;

import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordCursor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The producer-session table: derived from the log, batch by batch, so it survives a restart by
 * replaying the log. {@link #check} decides what to do with an incoming batch; {@link #apply} folds
 * a stored batch in (the same code runs live and on replay).
 *
 * <p>Producer ids: a named producer's id is a hash of its name (probing past a collision with
 * another name), in {@code [2^62, 2^63)}; anonymous producers count up from 1. An init is stored as
 * a control batch on stream {@link #CONTROL_STREAM}, whose one record's key is the name.
 *
 * <p>Remembers which sessions changed since the last {@link #drainChanged} (a flag on the session
 * plus a list), so that a checkpoint writes only those. Sessions are never removed.
 *
 * <p>Owned by one thread: the sequencer, or the thread replaying the log before it starts.
 */
public final class ProducerSessions {
  public static final String CONTROL_STREAM = "$producers";
  private static final long NAMED_ID_BASE = 1L << 62;

  /** Outcome of {@link #check}: store it, it is a duplicate, or refuse it. */
  public enum Verdict {
    STORE,
    DUPLICATE,
    REFUSE
  }

  /**
   * A copy of one producer session, as a checkpoint keeps it: epoch, last sequence, name, and the
   * dedup window (oldest first, at most {@link #MAX_WINDOW} batches). Immutable.
   */
  public record SessionSnapshot(
      long producerId, String name, short epoch, int lastSequence, List<WindowEntry> window) {
    /** Largest window a session keeps. */
    public static final int MAX_WINDOW = ProducerSession.WINDOW;

    public SessionSnapshot {
      if (window.size() > MAX_WINDOW) {
        throw new IllegalArgumentException("window of " + window.size() + " > " + MAX_WINDOW);
      }
      window = List.copyOf(window);
    }
  }

  /**
   * One session as a checkpoint reads it, field by field: a reused flyweight, valid only during the
   * visit that hands it out (so that taking a checkpoint allocates nothing per window entry).
   */
  public static final class SessionView {
    private ProducerSession s;

    public long producerId() {
      return s.producerId;
    }

    public String name() {
      return s.name;
    }

    public short epoch() {
      return s.epoch;
    }

    public int lastSequence() {
      return s.lastSequence;
    }

    /** Batches in the dedup window, at most {@link SessionSnapshot#MAX_WINDOW}. */
    public int windowSize() {
      return s.windowSize();
    }

    /** Window entry {@code k}'s base sequence, oldest entry first. */
    public int windowBaseSequence(int k) {
      return s.windowBaseSequence(k);
    }

    public int windowLastSequence(int k) {
      return s.windowLastSequence(k);
    }

    public long windowBaseOffset(int k) {
      return s.windowBaseOffset(k);
    }

    public long windowBaseStreamVersion(int k) {
      return s.windowBaseStreamVersion(k);
    }
  }

  /** One remembered batch of a session: its sequences and where it was stored. */
  public record WindowEntry(
      int baseSequence, int lastSequence, long baseOffset, long baseStreamVersion) {}

  private final Map<Long, ProducerSession> sessions = new HashMap<>();
  private final Map<String, Long> idsByName = new HashMap<>();
  private final List<ProducerSession> changed = new ArrayList<>();
  private final SessionView view = new SessionView();
  private final RecordCursor cursor = new RecordCursor(64 * 1024);
  private long nextAnonymousId = 1;

  private ErrorCode refusal = ErrorCode.NONE;
  private long duplicateBaseOffset;
  private long duplicateBaseStreamVersion;

  public int size() {
    return sessions.size();
  }

  /**
   * Decides what to do with a producer's batch. After DUPLICATE, {@link #duplicateBaseOffset} and
   * {@link #duplicateBaseStreamVersion} give the original placement; after REFUSE, {@link #refusal}
   * gives the error.
   */
  public Verdict check(RecordBatch batch) {
    long id = batch.producerId();
    if (id == RecordBatch.NO_PRODUCER_ID) {
      return Verdict.STORE;
    }
    ProducerSession s = sessions.get(id);
    if (s == null) {
      return refuse(ErrorCode.UNKNOWN_PRODUCER);
    }
    short epoch = batch.producerEpoch();
    if (epoch < s.epoch) {
      return refuse(ErrorCode.PRODUCER_FENCED);
    }
    if (epoch > s.epoch) {
      return refuse(ErrorCode.UNKNOWN_PRODUCER);
    }
    int base = batch.baseSequence();
    int last = batch.lastSequence();
    if (base == s.lastSequence + 1) {
      return Verdict.STORE;
    }
    if (base > s.lastSequence + 1 || base < 0) {
      return refuse(ErrorCode.OUT_OF_ORDER_SEQUENCE);
    }
    int i = s.find(base, last);
    if (i < 0) {
      return refuse(ErrorCode.DUPLICATE_SEQUENCE);
    }
    duplicateBaseOffset = s.baseOffsetAt(i);
    duplicateBaseStreamVersion = s.baseStreamVersionAt(i);
    return Verdict.DUPLICATE;
  }

  private Verdict refuse(ErrorCode code) {
    refusal = code;
    return Verdict.REFUSE;
  }

  public ErrorCode refusal() {
    return refusal;
  }

  public long duplicateBaseOffset() {
    return duplicateBaseOffset;
  }

  public long duplicateBaseStreamVersion() {
    return duplicateBaseStreamVersion;
  }

  /** The id a new init of {@code name} gets ("" = anonymous). Does not change the table. */
  public long idFor(String name) {
    if (name.isEmpty()) {
      return nextAnonymousId;
    }
    Long known = idsByName.get(name);
    if (known != null) {
      return known;
    }
    long id = NAMED_ID_BASE | (hash64(name) & (NAMED_ID_BASE - 1));
    while (sessions.containsKey(id)) {
      id = NAMED_ID_BASE | ((id + 1) & (NAMED_ID_BASE - 1));
    }
    return id;
  }

  /** The epoch a new init of producer {@code id} gets. */
  public short nextEpoch(long id) {
    ProducerSession s = sessions.get(id);
    return s == null ? 0 : (short) (s.epoch + 1);
  }

  /** Folds a stored (stamped) batch into the table. */
  public void apply(RecordBatch batch) {
    long id = batch.producerId();
    if (id == RecordBatch.NO_PRODUCER_ID) {
      return;
    }
    if (batch.isControl()) {
      if (batch.streamNameEquals(CONTROL_STREAM_BYTES)) {
        applyInit(batch, id);
      }
      return;
    }
    ProducerSession s = sessions.get(id);
    if (s == null) {
      // A batch from before its init was retained away; start from what the batch says.
      s = new ProducerSession(id, "", batch.producerEpoch());
      sessions.put(id, s);
      bumpAnonymous(id);
    }
    if (batch.producerEpoch() > s.epoch) {
      s.startEpoch(batch.producerEpoch());
    }
    s.recordBatch(
        batch.baseSequence(), batch.lastSequence(), batch.baseOffset(), batch.baseStreamVersion());
    markChanged(s);
  }

  private void markChanged(ProducerSession s) {
    if (!s.changed) {
      s.changed = true;
      changed.add(s);
    }
  }

  private void applyInit(RecordBatch batch, long id) {
    cursor.reset(batch);
    String name = "";
    if (cursor.next() && cursor.keyLength() > 0) {
      name = new String(cursor.key(), StandardCharsets.UTF_8);
    }
    ProducerSession s = sessions.get(id);
    if (s == null) {
      s = new ProducerSession(id, name, batch.producerEpoch());
      sessions.put(id, s);
      if (!name.isEmpty()) {
        idsByName.put(name, id);
      }
      bumpAnonymous(id);
    }
    s.startEpoch(batch.producerEpoch());
    markChanged(s);
  }

  private void bumpAnonymous(long id) {
    if (id < NAMED_ID_BASE && id >= nextAnonymousId) {
      nextAnonymousId = id + 1;
    }
  }

  /** Visits a copy of every session (for checkpoints); order unspecified. */
  public void forEachSession(Consumer<SessionSnapshot> visitor) {
    for (ProducerSession s : sessions.values()) {
      visitor.accept(s.snapshot());
    }
  }

  /** How many sessions changed since the last {@link #drainChanged}. */
  public int changedCount() {
    return changed.size();
  }

  /**
   * Visits a copy of every session changed since the last drain (or since it was created or
   * restored), and starts remembering afresh. O(changed sessions).
   */
  public void drainChanged(Consumer<SessionView> visitor) {
    for (ProducerSession s : changed) {
      s.changed = false;
      view.s = s;
      visitor.accept(view);
    }
    view.s = null;
    changed.clear();
  }

  /** Visits every session through a {@link SessionView} (for full checkpoints). */
  public void forEachSessionView(Consumer<SessionView> visitor) {
    for (ProducerSession s : sessions.values()) {
      view.s = s;
      visitor.accept(view);
    }
    view.s = null;
  }

  /** Forgets which sessions changed (their state was saved by other means). */
  public void forgetChanges() {
    for (ProducerSession s : changed) {
      s.changed = false;
    }
    changed.clear();
  }

  /** Puts back a session taken by {@link #forEachSession} (loading a checkpoint); not a change. */
  public void restore(SessionSnapshot snapshot) {
    ProducerSession s = ProducerSession.restore(snapshot);
    sessions.put(s.producerId, s);
    if (!s.name.isEmpty()) {
      idsByName.put(s.name, s.producerId);
    }
    bumpAnonymous(s.producerId);
  }

  /** Forgets every session (a checkpoint turned out unusable; the log is replayed instead). */
  public void clear() {
    sessions.clear();
    idsByName.clear();
    forgetChanges();
    nextAnonymousId = 1;
  }

  private static final byte[] CONTROL_STREAM_BYTES =
      CONTROL_STREAM.getBytes(StandardCharsets.UTF_8);

  /** FNV-1a over the UTF-8 bytes, then a final mix; stable across JVMs and versions. */
  static long hash64(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }
}
