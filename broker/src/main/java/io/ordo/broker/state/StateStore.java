package io.ordo.broker.state;

import io.ordo.broker.sequencer.ProducerSessions;
import io.ordo.broker.sequencer.ProducerSessions.SessionSnapshot;
import io.ordo.broker.sequencer.StreamVersions;
import io.ordo.broker.sequencer.StreamVersions.StreamSnapshot;
import io.ordo.broker.state.StateMapFile.Totals;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A checkpoint of the state derived from the log (producer sessions, stream versions, consumer
 * group offsets), kept in Chronicle Map files under {@code <data dir>/state} with the offset it was
 * applied up to, so a restart replays only the tail of the log. It is a cache: the log can always
 * rebuild it, so every problem with it is logged and answered "no checkpoint" (-1), never thrown at
 * the node.
 *
 * <p>Files: {@code producers.cm3} (producerId -> session), {@code streams.cm3} (name -> next
 * version, last batch offset, records), {@code group-offsets.cm3} (group NUL subscription -> next
 * offset, generation) and {@code meta.cm3} (format, appliedOffset, entry count and checksum of each
 * map, a checksum of those, the {@code saving} and {@code open} markers). Beside them: {@code seal}
 * ({@link StateSeal}: each map file's length and header CRC, so a torn or overwritten file is
 * deleted before Chronicle Map sees it), {@code closed-cleanly} (present only between a close and
 * the next open: without it the meta is opened with Chronicle's recovery, which clears segment
 * locks a killed process held; the data maps are deleted if the kill came inside a save, else
 * opened as they are; and the first save must be a full one, which rewrites them from empty) and
 * {@code lock} (locked while open: Chronicle Map files must be opened by one process only).
 *
 * <p>Saves are full (every entry; the maps are recreated empty and filled) or incremental (only the
 * entries changed since the last checkpoint, put over the maps as the last load or save left them;
 * a map's checksum is a sum of per-entry checksums, so each put subtracts the old entry's and adds
 * the new one's). An incremental save is refused ({@link #needsFullSave}) unless the maps are known
 * to hold exactly what the meta says: after a load that used them or a save that wrote them, and
 * never after an unclean stop or a failed save.
 *
 * <p>Recovery rule: {@link #save} writes the {@code saving} marker, then the maps, fsyncs them,
 * then the counts, checksums and appliedOffset, and removes the marker last. {@link #load} uses the
 * checkpoint only if the format matches, the marker is absent, and every entry decodes and every
 * map's entry count and checksum match the meta; otherwise it returns -1 and the caller replays the
 * whole log. A crash inside a save, full or incremental, therefore loses the checkpoint (not the
 * state: the log has it).
 *
 * <p>Threading: one thread at a time, with a hand-off between them: the thread that builds the node
 * opens, loads and (when {@link #needsFullSave}) saves it in full before the sequencer starts; from
 * then on it belongs to the checkpoint thread ({@link CheckpointWriter}), which saves and finally
 * closes it.
 */
public final class StateStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);

  /** Version of the value layouts ({@link StateCodec}); a store of another version is rebuilt. */
  public static final long FORMAT = 1;

  static final String PRODUCERS_FILE = "producers.cm3";
  static final String STREAMS_FILE = "streams.cm3";
  static final String GROUPS_FILE = "group-offsets.cm3";
  static final String META_FILE = "meta.cm3";
  static final String LOCK_FILE = "lock";
  static final String CLEAN_FILE = "closed-cleanly";
  static final List<String> MAP_FILES =
      List.of(PRODUCERS_FILE, STREAMS_FILE, GROUPS_FILE, META_FILE);

  static final String META_FORMAT = "format";
  static final String META_APPLIED = "appliedOffset";
  static final String META_SAVING = "saving";
  static final String META_OPEN = "open";
  private static final String COUNT = ".count";
  private static final String CHECKSUM = ".checksum";

  /** How many entries a map file was created for (it grows itself): a sizing hint, unchecked. */
  private static final String ENTRIES = ".entries";

  private static final String PRODUCERS = "producers";
  private static final String STREAMS = "streams";
  private static final String GROUPS = "groups";
  static final String META_CHECKSUM = "meta.checksum";
  private static final List<String> META_KEYS =
      List.of(
          META_FORMAT,
          META_APPLIED,
          PRODUCERS + COUNT,
          PRODUCERS + CHECKSUM,
          STREAMS + COUNT,
          STREAMS + CHECKSUM,
          GROUPS + COUNT,
          GROUPS + CHECKSUM);

  private final StateStoreConfig config;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private StateMapFile<Long> producers;
  private StateMapFile<String> streams;
  private StateMapFile<String> groups;
  private ChronicleMap<String, Long> meta;
  private boolean closed;

  /** The files were left by a process that did not close them: rewrite them afresh. */
  private boolean rebuildOnSave;

  /** The last process closed the store (no lock can be left held): open without recovery. */
  private boolean closedCleanly;

  /**
   * The maps hold exactly what the meta says (a load used them, or a save wrote them), so an
   * incremental save may build on them.
   */
  private boolean inSync;

  private StateStore(StateStoreConfig config, FileChannel lockChannel, FileLock lock) {
    this.config = config;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Opens the store in {@code config.dir()}, creating it if needed. Files that cannot be opened
   * (corrupt, or of another format) are deleted and created again, empty.
   *
   * @throws IOException if the directory cannot be used at all, or another process holds it; the
   *     node then runs without a checkpoint
   */
  public static StateStore open(StateStoreConfig config) throws IOException {
    Files.createDirectories(config.dir());
    FileChannel lockChannel =
        FileChannel.open(
            config.dir().resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IOException("state dir " + config.dir() + " is in use by another store");
    }
    StateStore store = new StateStore(config, lockChannel, lock);
    try {
      store.openFiles();
      return store;
    } catch (IOException | RuntimeException | Error e) {
      store.close();
      throw e;
    }
  }

  private void openFiles() throws IOException {
    Path dir = config.dir();
    closedCleanly = Files.deleteIfExists(dir.resolve(CLEAN_FILE));
    boolean anyMapFile = MAP_FILES.stream().anyMatch(f -> Files.exists(dir.resolve(f)));
    if (anyMapFile && !StateSeal.matches(dir, MAP_FILES)) {
      LOG.warn(
          "state store {}: map files do not match their seal (torn, truncated or overwritten):"
              + " deleting them, the log will be replayed",
          dir);
      deleteMapFiles();
    }
    try {
      openMaps();
      Long format = meta.get(META_FORMAT);
      if (format != null && format != FORMAT) {
        LOG.warn(
            "state store {} has format {}, this build uses {}: starting it afresh",
            config.dir(),
            format,
            FORMAT);
        closeMaps();
        deleteMapFiles();
        openMaps();
      }
    } catch (IOException | RuntimeException | InternalError e) {
      LOG.warn(
          "state store {} could not be opened ({}): deleting it, the log will be replayed",
          config.dir(),
          e.toString());
      closeMaps();
      deleteMapFiles();
      openMaps();
    }
    StateSeal.write(dir, MAP_FILES);
    if (meta.containsKey(META_OPEN) || !closedCleanly) {
      rebuildOnSave = true;
    }
    meta.put(META_OPEN, 1L);
  }

  private void openMaps() throws IOException {
    Path dir = config.dir();
    meta =
        persisted(
            dir.resolve(META_FILE),
            ChronicleMap.of(String.class, Long.class)
                .name("ordo-state-meta")
                .entries(32)
                .averageKeySize(20),
            !closedCleanly);
    if (!closedCleanly && meta.containsKey(META_SAVING)) {
      // Killed inside a save (or after a discard): the data maps may hold segment locks of the
      // dead process and are of no use; anywhere else no data map is being written, so no lock is
      // held and they open without Chronicle's recovery, which was seen to drop entries.
      for (String name : List.of(PRODUCERS_FILE, STREAMS_FILE, GROUPS_FILE)) {
        Files.deleteIfExists(dir.resolve(name));
      }
    }
    producers =
        new StateMapFile<>(
            dir.resolve(PRODUCERS_FILE),
            sizedEntries(PRODUCERS, config.producerEntries()),
            id -> StateCodec.keyBytes((long) id),
            (file, entries) ->
                persisted(
                    file,
                    ChronicleMap.of(Long.class, byte[].class)
                        .name("ordo-producers")
                        .entries(entries)
                        .averageValueSize(config.averageSessionBytes())));
    streams =
        new StateMapFile<>(
            dir.resolve(STREAMS_FILE),
            sizedEntries(STREAMS, config.streamEntries()),
            StateStore::stringKeyBytes,
            (file, entries) ->
                persisted(
                    file,
                    ChronicleMap.of(String.class, byte[].class)
                        .name("ordo-streams")
                        .entries(entries)
                        .averageKeySize(config.averageStreamNameBytes())
                        .constantValueSizeBySample(new byte[StateCodec.STREAM_BYTES])));
    groups =
        new StateMapFile<>(
            dir.resolve(GROUPS_FILE),
            sizedEntries(GROUPS, config.groupOffsetEntries()),
            StateStore::stringKeyBytes,
            (file, entries) ->
                persisted(
                    file,
                    ChronicleMap.of(String.class, byte[].class)
                        .name("ordo-group-offsets")
                        .entries(entries)
                        .averageKeySize(config.averageGroupKeyBytes())
                        .constantValueSizeBySample(new byte[StateCodec.GROUP_BYTES])));
  }

  /** The configured size, or the size the map was last created for when larger. */
  private long sizedEntries(String name, long configured) {
    Long created = meta.get(name + ENTRIES);
    return created == null ? configured : Math.max(configured, created);
  }

  private static byte[] stringKeyBytes(String key) {
    return StateCodec.keyBytes(key);
  }

  /** A data map: created, or opened as it is (see {@link #openMaps} for why never recovered). */
  private <K, V> ChronicleMap<K, V> persisted(Path file, ChronicleMapBuilder<K, V> builder)
      throws IOException {
    return persisted(file, builder, false);
  }

  /**
   * Creates the file, or opens it, with recovery if asked: a process killed inside a put leaves a
   * segment lock held, and recovery (safe here, the store's lock keeps other processes out) clears
   * it. What recovery repairs is logged; whether the content is intact is decided by the entry
   * counts and checksums in {@link #load}.
   */
  private <K, V> ChronicleMap<K, V> persisted(
      Path file, ChronicleMapBuilder<K, V> builder, boolean recover) throws IOException {
    // The node closes the store itself, after its last checkpoint, from its own shutdown hook;
    // Chronicle's exit hook would close the maps first and that checkpoint would be lost.
    builder.skipCloseOnExitHook(true);
    if (!Files.exists(file) || !recover) {
      return builder.createPersistedTo(file.toFile());
    }
    return builder.recoverPersistedTo(
        file.toFile(),
        true,
        corruption -> {
          rebuildOnSave = true;
          LOG.info(
              "state map {} recovered after an unclean stop: {}",
              file.getFileName(),
              corruption.message());
        });
  }

  /**
   * Writes every entry of the state into the maps (rewritten from empty), then {@code
   * appliedOffset} (every batch below it is reflected in the state). Returns false, after logging a
   * WARN, if it could not: the store then holds no usable checkpoint until the next successful
   * save.
   */
  public boolean save(
      ProducerSessions sessions,
      StreamVersions streamVersions,
      Map<String, GroupOffset> groupOffsets,
      long appliedOffset) {
    groupOffsets.forEach(
        (key, g) -> {
          if (!key.equals(g.key())) {
            throw new IllegalArgumentException("group offset under key " + key + " is for " + g);
          }
        });
    return save(StateChanges.all(sessions, streamVersions, groupOffsets.values(), appliedOffset));
  }

  /**
   * True when the next save must be a full one: the maps are not known to hold exactly what the
   * meta says (no checkpoint was loaded or saved since open, the last save failed, or the
   * checkpoint was discarded), or the files were left by a process that did not close them.
   */
  boolean needsFullSave() {
    return rebuildOnSave || !inSync;
  }

  /**
   * Writes a checkpoint: every entry ({@link StateChanges#full}: the maps are rewritten from empty)
   * or, on top of the last checkpoint, the changed ones (each put updates the map's count and
   * checksum by the difference between the old and the new entry); then {@code appliedOffset}.
   * Returns false, after logging a WARN, if it could not, or if it is incremental while {@link
   * #needsFullSave}: the store then holds no usable checkpoint until the next successful full save.
   */
  boolean save(StateChanges changes) {
    ensureOpen();
    if (!changes.full && needsFullSave()) {
      LOG.warn(
          "state checkpoint at offset {} not written: the store needs a full checkpoint first",
          changes.appliedOffset);
      return false;
    }
    long startNs = System.nanoTime();
    try {
      meta.put(META_SAVING, changes.appliedOffset);
      inSync = false;
      forceMeta();
      Totals p;
      Totals s;
      Totals g;
      if (changes.full) {
        p = replace(producers, changes.producers);
        s = replace(streams, changes.streams);
        g = replace(groups, changes.groups);
        rebuildOnSave = false;
      } else {
        p = update(producers, PRODUCERS, changes.producers);
        s = update(streams, STREAMS, changes.streams);
        g = update(groups, GROUPS, changes.groups);
      }
      meta.put(PRODUCERS + COUNT, p.count());
      meta.put(PRODUCERS + CHECKSUM, p.checksum());
      meta.put(STREAMS + COUNT, s.count());
      meta.put(STREAMS + CHECKSUM, s.checksum());
      meta.put(GROUPS + COUNT, g.count());
      meta.put(GROUPS + CHECKSUM, g.checksum());
      meta.put(PRODUCERS + ENTRIES, producers.entries());
      meta.put(STREAMS + ENTRIES, streams.entries());
      meta.put(GROUPS + ENTRIES, groups.entries());
      meta.put(META_FORMAT, FORMAT);
      meta.put(META_APPLIED, changes.appliedOffset);
      meta.put(META_CHECKSUM, metaChecksum());
      meta.remove(META_SAVING);
      forceMeta();
      StateSeal.update(config.dir(), MAP_FILES);
      inSync = true;
      LOG.debug(
          "{} written in {} ms ({} sessions, {} streams, {} group offsets in the store)",
          changes,
          (System.nanoTime() - startNs) / 1_000_000,
          p.count(),
          s.count(),
          g.count());
      return true;
    } catch (IOException | RuntimeException | InternalError e) {
      rebuildOnSave = true;
      inSync = false;
      LOG.warn(
          "state checkpoint at offset {} failed ({}); the next start replays more of the log",
          changes.appliedOffset,
          e.toString());
      return false;
    }
  }

  private static <K> Totals replace(StateMapFile<K> file, StateChanges.Entries<K> all)
      throws IOException {
    Totals t = file.replaceWith(all);
    file.force();
    return t;
  }

  /** Puts the changes of one map on top of what the meta says it holds. */
  private <K> Totals update(StateMapFile<K> file, String name, StateChanges.Entries<K> changes)
      throws IOException {
    Long count = meta.get(name + COUNT);
    Long checksum = meta.get(name + CHECKSUM);
    if (count == null || checksum == null) {
      throw new IllegalStateException("the meta has no count or checksum for " + name);
    }
    Totals before = new Totals(count, checksum);
    if (changes.size() == 0) {
      return before;
    }
    Totals after = file.update(changes, before);
    file.force();
    return after;
  }

  /**
   * Restores the checkpoint into {@code sessions}, {@code streamVersions} (both empty) and {@code
   * groupOffsets}, and returns the offset it was applied up to; or returns -1, changing nothing,
   * when there is no usable checkpoint (none yet, another format, an interrupted save, a count or
   * checksum that does not match). Never throws because of the files' content.
   */
  public long load(
      ProducerSessions sessions,
      StreamVersions streamVersions,
      Map<String, GroupOffset> groupOffsets) {
    ensureOpen();
    try {
      Long format = meta.get(META_FORMAT);
      Long applied = meta.get(META_APPLIED);
      if (format == null || applied == null) {
        LOG.info("no state checkpoint in {}: the whole log will be replayed", config.dir());
        return -1;
      }
      if (meta.containsKey(META_SAVING)) {
        return unusable("a save was interrupted");
      }
      if (format != FORMAT || applied < 0) {
        return unusable("format " + format + ", applied offset " + applied);
      }
      Long checksum = meta.get(META_CHECKSUM);
      if (checksum == null || checksum != metaChecksum()) {
        return unusable("the meta does not match its checksum");
      }
      List<SessionSnapshot> s = new ArrayList<>();
      Totals p = producers.scan((k, v) -> s.add(StateCodec.decodeSession(k, v)));
      if (!matches(PRODUCERS, p)) {
        return unusable(
            "producer sessions do not match their count or checksum" + found(PRODUCERS, p));
      }
      List<StreamSnapshot> st = new ArrayList<>();
      Totals q = streams.scan((k, v) -> st.add(StateCodec.decodeStream(k, v)));
      if (!matches(STREAMS, q)) {
        return unusable("streams do not match their count or checksum" + found(STREAMS, q));
      }
      List<GroupOffset> g = new ArrayList<>();
      Totals r = groups.scan((k, v) -> g.add(StateCodec.decodeGroup(k, v)));
      if (!matches(GROUPS, r)) {
        return unusable("group offsets do not match their count or checksum" + found(GROUPS, r));
      }
      s.forEach(sessions::restore);
      st.forEach(streamVersions::restore);
      g.forEach(o -> groupOffsets.put(o.key(), o));
      inSync = true;
      return applied;
    } catch (RuntimeException | InternalError e) {
      return unusable(e.toString());
    }
  }

  /**
   * Marks the checkpoint unusable until the next save (the log no longer agrees with it: were the
   * log to grow past its offset again with other batches, it must not be taken for them).
   */
  public void discard() {
    ensureOpen();
    inSync = false;
    try {
      meta.put(META_SAVING, -1L);
      forceMeta();
    } catch (IOException | RuntimeException e) {
      LOG.warn("discarding the state checkpoint in {} failed: {}", config.dir(), e.toString());
    }
  }

  /** The offset of the last complete save, or -1; a cheap look at the meta only. */
  public long appliedOffset() {
    ensureOpen();
    try {
      Long applied = meta.get(META_APPLIED);
      return applied == null || meta.containsKey(META_SAVING) ? -1 : applied;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** Checksum over the meta entries a load relies on (all but itself and the saving marker). */
  private long metaChecksum() {
    long sum = 0;
    for (String key : META_KEYS) {
      Long value = meta.get(key);
      byte[] v = StateCodec.keyBytes(value == null ? Long.MIN_VALUE : value);
      sum += StateCodec.entryChecksum(StateCodec.keyBytes(key), v);
    }
    return sum;
  }

  private String found(String name, Totals found) {
    return " (found " + found.count() + " entries, expected " + meta.get(name + COUNT) + ")";
  }

  private boolean matches(String name, Totals found) {
    Long count = meta.get(name + COUNT);
    Long checksum = meta.get(name + CHECKSUM);
    return count != null
        && checksum != null
        && count == found.count()
        && checksum == found.checksum();
  }

  private long unusable(String why) {
    LOG.warn(
        "state checkpoint in {} is not usable ({}): the whole log will be replayed",
        config.dir(),
        why);
    return -1;
  }

  ChronicleMap<String, Long> meta() {
    return meta;
  }

  ChronicleMap<String, byte[]> streamsMap() {
    return streams.map();
  }

  private void forceMeta() throws IOException {
    try (FileChannel ch =
        FileChannel.open(config.dir().resolve(META_FILE), StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("state store " + config.dir() + " is closed");
    }
  }

  private void closeMaps() {
    for (AutoCloseable c : new AutoCloseable[] {producers, streams, groups, meta}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception | InternalError e) {
          LOG.warn("closing a state map failed: {}", e.toString());
        }
      }
    }
    producers = null;
    streams = null;
    groups = null;
    meta = null;
  }

  private void deleteMapFiles() throws IOException {
    StateSeal.delete(config.dir());
    for (String name : MAP_FILES) {
      Files.deleteIfExists(config.dir().resolve(name));
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (meta != null) {
        meta.remove(META_OPEN);
      }
    } catch (RuntimeException e) {
      LOG.warn("state store {}: marking it closed failed: {}", config.dir(), e.toString());
    }
    boolean mapsOpen = meta != null;
    closeMaps();
    try {
      if (mapsOpen) {
        Files.createFile(config.dir().resolve(CLEAN_FILE));
      }
    } catch (IOException e) {
      LOG.warn("state store {}: marking it closed failed: {}", config.dir(), e.toString());
    }
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.warn("releasing the state store lock failed: {}", e.toString());
    }
  }
}
