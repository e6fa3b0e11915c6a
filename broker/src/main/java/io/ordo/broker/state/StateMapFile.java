package io.ordo.broker.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BiConsumer;
import java.util.function.Function;
import net.openhft.chronicle.map.ChronicleMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One persisted Chronicle Map file of the state store: opens it (creating it, or recovering it
 * after a crash of this same process), writes entries while keeping the map's entry count and
 * checksum (the sum of {@link StateCodec#entryChecksum} over its entries) up to date, recreates it
 * larger when it fills up, and forces its pages to disk. Only one process may open the file: {@link
 * StateStore} holds a file lock for that.
 *
 * <p>Used by one thread at a time (the owner of the {@link StateStore}).
 */
final class StateMapFile<K> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StateMapFile.class);

  private final Path file;
  private final Opener<K> opener;
  private final Function<K, byte[]> keyBytes;
  private long entries;
  private ChronicleMap<K, byte[]> map;

  /** Opens (or creates) a map file sized for a number of entries. */
  @FunctionalInterface
  interface Opener<K> {
    ChronicleMap<K, byte[]> open(Path file, long entries) throws IOException;
  }

  /** A map's entry count and checksum. */
  record Totals(long count, long checksum) {
    static final Totals EMPTY = new Totals(0, 0);
  }

  StateMapFile(Path file, long entries, Function<K, byte[]> keyBytes, Opener<K> opener)
      throws IOException {
    this.file = file;
    this.opener = opener;
    this.keyBytes = keyBytes;
    this.entries = entries;
    this.map = opener.open(file, entries);
  }

  ChronicleMap<K, byte[]> map() {
    return map;
  }

  Path file() {
    return file;
  }

  long entries() {
    return entries;
  }

  /** Deletes the file and creates it again, empty, with room for {@code minEntries} entries. */
  void recreate(long minEntries) throws IOException {
    map.close();
    Files.deleteIfExists(file);
    entries = Math.max(entries, minEntries);
    map = opener.open(file, entries);
  }

  /**
   * Visits every entry and returns the count and checksum of what it visited. The value array is
   * only valid during the visit (Chronicle Map reuses it).
   */
  Totals scan(BiConsumer<K, byte[]> visitor) {
    long[] sum = {0, 0};
    map.forEach(
        (k, v) -> {
          visitor.accept(k, v);
          sum[0]++;
          sum[1] += StateCodec.entryChecksum(keyBytes.apply(k), v);
        });
    return new Totals(sum[0], sum[1]);
  }

  /** Makes the map hold exactly {@code all}: recreated empty with room to grow, then filled. */
  Totals replaceWith(StateChanges.Entries<K> all) throws IOException {
    recreate(2L * all.size());
    try {
      return put(all, Totals.EMPTY);
    } catch (IllegalStateException full) {
      long target = Math.max(4L * all.size(), 2 * entries);
      logGrowth(full, target);
      recreate(target);
      return put(all, Totals.EMPTY);
    }
  }

  /**
   * Puts {@code changes} into the map, which held entries of totals {@code before}, and returns the
   * totals after: each put's previous value is subtracted from the checksum and the new one added.
   */
  Totals update(StateChanges.Entries<K> changes, Totals before) throws IOException {
    Totals now = before;
    if (before.count() + changes.size() > entries) {
      now = grow(before.count() + changes.size(), null);
      if (!now.equals(before)) {
        throw new IllegalStateException(
            file.getFileName() + " holds " + now + ", its checkpoint says " + before);
      }
    }
    try {
      return put(changes, now);
    } catch (IllegalStateException full) {
      // Some changes are in, some not: carry over what the map holds now and put them all again
      // (a put of the value already there adds nothing).
      return put(changes, grow(map.size() + (long) changes.size(), full));
    }
  }

  private Totals put(StateChanges.Entries<K> changes, Totals before) {
    long count = before.count();
    long checksum = before.checksum();
    for (int i = 0; i < changes.size(); i++) {
      K key = changes.key(i);
      byte[] value = changes.value(i);
      byte[] key0 = keyBytes.apply(key);
      byte[] old = map.put(key, value);
      if (old == null) {
        count++;
      } else {
        checksum -= StateCodec.entryChecksum(key0, old);
      }
      checksum += StateCodec.entryChecksum(key0, value);
    }
    return new Totals(count, checksum);
  }

  /**
   * Recreates the map with room for twice {@code needed} entries and carries its entries over;
   * returns their totals.
   */
  private Totals grow(long needed, IllegalStateException full) throws IOException {
    long target = Math.max(2 * needed, 2 * entries);
    logGrowth(full, target);
    StateChanges.EncodedEntries<K> carried = new StateChanges.EncodedEntries<>();
    scan((k, v) -> carried.put(k, v.clone())); // Chronicle reuses the value array it visits with

    recreate(target);
    return put(carried, Totals.EMPTY);
  }

  private void logGrowth(IllegalStateException full, long target) {
    LOG.info(
        "state map {} {}: recreating it for {} entries",
        file.getFileName(),
        full == null ? "is about to fill up" : "is full (" + full.getMessage() + ")",
        target);
  }

  /** Writes the map's dirty pages to the device (fsync of the mapped file). */
  void force() throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  @Override
  public void close() {
    map.close();
  }
}
