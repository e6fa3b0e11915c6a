package io.ordo.broker.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * One persisted Chronicle Map file of the state store: opens it (creating it, or recovering it
 * after a crash of this same process), recreates it larger when a save outgrows it, and forces its
 * pages to disk. Only one process may open the file: {@link StateStore} holds a file lock for that.
 *
 * <p>Used by one thread at a time (the owner of the {@link StateStore}).
 */
final class StateMapFile<K> implements AutoCloseable {
  private final Path file;
  private final Opener<K> opener;
  private long entries;
  private ChronicleMap<K, byte[]> map;

  /** Opens (or creates) a map file sized for a number of entries. */
  @FunctionalInterface
  interface Opener<K> {
    ChronicleMap<K, byte[]> open(Path file, long entries) throws IOException;
  }

  StateMapFile(Path file, long entries, Opener<K> opener) throws IOException {
    this.file = file;
    this.opener = opener;
    this.entries = entries;
    this.map = opener.open(file, entries);
  }

  ChronicleMap<K, byte[]> map() {
    return map;
  }

  Path file() {
    return file;
  }

  /** Deletes the file and creates it again, empty, with room for {@code minEntries} entries. */
  void recreate(long minEntries) throws IOException {
    map.close();
    Files.deleteIfExists(file);
    entries = Math.max(entries, minEntries);
    map = opener.open(file, entries);
  }

  long entries() {
    return entries;
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
