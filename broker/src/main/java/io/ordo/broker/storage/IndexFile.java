package io.ordo.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An index of fixed-size little-endian entries beside a segment. While its segment takes appends
 * the entries live in a growable heap buffer and reach the file lazily ({@link #writeToFile}); once
 * sealed and its file completed ({@link #completeFile}), the entries are read through a read-only
 * memory mapping, so old segments cost no heap.
 *
 * <p>Threading: one writer appends, truncates and seals; any number of readers look entries up
 * concurrently. Readers read {@link #entryCount()} before {@link #entries()}: the writer publishes
 * a grown buffer before the count that needs it, so a reader always sees its entries. The log's
 * {@link RecoveryCheckpointer} may write the file ({@link #writeToFile(int)}) while the writer
 * appends, and {@link #completeFile()} once the writer has sealed it; never while the writer does
 * anything else to the index.
 */
abstract class IndexFile {
  private static final int INITIAL_ENTRIES = 64;

  private final Path path;
  private final int entrySize;
  private volatile ByteBuffer entries;
  private volatile int count;
  private int writtenCount;
  private boolean sealed; // takes no appends
  private boolean mapped; // sealed, and the entries are read from the complete file

  IndexFile(Path path, int entrySize) {
    this.path = path;
    this.entrySize = entrySize;
    this.entries = ByteBuffer.allocate(INITIAL_ENTRIES * entrySize).order(ByteOrder.LITTLE_ENDIAN);
  }

  final Path path() {
    return path;
  }

  final int entryCount() {
    return count;
  }

  final ByteBuffer entries() {
    return entries;
  }

  final int entrySize() {
    return entrySize;
  }

  /** Byte index of the next entry in {@link #entries()}; grows the buffer if needed (writer). */
  protected final int slotForAppend() {
    ensureOpenForAppends();
    int at = count * entrySize;
    ByteBuffer b = entries;
    if (at + entrySize > b.capacity()) {
      ByteBuffer grown =
          ByteBuffer.allocate(Math.max(b.capacity() * 2, at + entrySize))
              .order(ByteOrder.LITTLE_ENDIAN);
      grown.put(0, b, 0, at);
      entries = grown;
    }
    return at;
  }

  /** Publishes the entry written at {@link #slotForAppend()} (writer). */
  protected final void commitAppend() {
    count = count + 1;
  }

  /** Keeps the first {@code n} entries (writer; the file catches up at the next write). */
  final void truncateEntries(int n) {
    ensureOpenForAppends();
    if (n < 0 || n > count) {
      throw new IllegalArgumentException("cannot keep " + n + " of " + count + " entries");
    }
    count = n;
    writtenCount = Math.min(writtenCount, n);
  }

  private void ensureOpenForAppends() {
    if (sealed) {
      throw new IllegalStateException("index " + path + " is sealed");
    }
  }

  /**
   * Brings the file up to date with the entries in memory (appends the new ones, cuts off entries
   * dropped by a truncation) and forces it to disk. Writer thread.
   */
  final void writeToFile() throws IOException {
    writeToFile(count);
  }

  /**
   * As {@link #writeToFile()}, for the first {@code n} entries only (at most {@link #entryCount()}
   * when called): the file then ends after them. The writer may go on appending meanwhile (the
   * {@link RecoveryCheckpointer} calls this), but must not truncate, seal or write the file itself
   * until it returns.
   */
  final void writeToFile(int n) throws IOException {
    if (mapped) {
      return;
    }
    try (FileChannel ch =
        FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      long end = (long) n * entrySize;
      if (writtenCount < n) {
        ByteBuffer pending = entries.duplicate();
        pending.limit((int) end).position(writtenCount * entrySize);
        long at = pending.position();
        while (pending.hasRemaining()) {
          at += ch.write(pending, at);
        }
      }
      if (ch.size() > end) {
        ch.truncate(end);
      }
      writtenCount = n;
      ch.force(true);
    }
  }

  /**
   * Takes no more appends until {@link #unseal()}; the entries stay in memory until {@link
   * #completeFile()}.
   */
  final void seal() {
    sealed = true;
  }

  /**
   * Writes and forces the complete file of a sealed index, then serves lookups from a read-only
   * mapping of it. The log's {@link RecoveryCheckpointer} calls this after a roll; readers go on
   * meanwhile.
   */
  final void completeFile() throws IOException {
    if (mapped) {
      return;
    }
    if (!sealed) {
      throw new IllegalStateException("index " + path + " is not sealed");
    }
    writeToFile();
    entries = map(path, (long) count * entrySize);
    mapped = true;
  }

  /**
   * Takes appends again (after a truncation into a sealed segment): copies the entries to the heap
   * and unlinks the file, which is written afresh at the next {@link #writeToFile}. Readers still
   * holding the mapping keep reading the unlinked file safely.
   */
  final void unseal() throws IOException {
    if (!sealed) {
      return;
    }
    int n = count;
    ByteBuffer copy =
        ByteBuffer.allocate(Math.max(INITIAL_ENTRIES, n) * entrySize)
            .order(ByteOrder.LITTLE_ENDIAN);
    copy.put(0, entries, 0, n * entrySize);
    entries = copy;
    Files.deleteIfExists(path);
    writtenCount = 0;
    sealed = false;
    mapped = false;
  }

  /** Replaces every entry with those of {@code source} (heap), as a fresh unsealed index. */
  final void loadEntries(ByteBuffer source, int n) {
    ByteBuffer copy =
        ByteBuffer.allocate(Math.max(INITIAL_ENTRIES, n) * entrySize)
            .order(ByteOrder.LITTLE_ENDIAN);
    copy.put(0, source, 0, n * entrySize);
    entries = copy;
    count = n;
    writtenCount = 0;
    sealed = false;
    mapped = false;
  }

  /** Serves an already complete index file from a mapping (recovery of a trusted segment). */
  final void loadSealed(ByteBuffer fileMapping, int n) {
    entries = fileMapping;
    count = n;
    writtenCount = n;
    sealed = true;
    mapped = true;
  }

  final void deleteFile() throws IOException {
    Files.deleteIfExists(path);
  }

  /** The file's bytes mapped read-only, little-endian; an empty heap buffer for an empty file. */
  static ByteBuffer map(Path path, long bytes) throws IOException {
    if (bytes == 0) {
      return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    }
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      return ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
  }
}
