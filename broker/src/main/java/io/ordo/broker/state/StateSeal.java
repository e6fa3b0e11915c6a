package io.ordo.broker.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The {@code seal} file next to the state maps: for each map file, its length and a CRC32C of its
 * first {@value #HEAD_BYTES} bytes (the start of Chronicle Map's self-bootstrapping header, written
 * once at creation). Chronicle Map waits up to a minute for a file whose header looks unfinished,
 * and maps a file shorter than its header says; checking the seal first keeps such a file (torn,
 * truncated, overwritten) from ever reaching it: it is deleted instead.
 *
 * <p>Layout, little-endian: int32 file count, then per file int64 length and int32 head CRC, then
 * int32 CRC32C of everything before it. Written to a temporary file, fsynced, and renamed.
 *
 * <p>Used by the thread that owns the {@link StateStore}.
 */
final class StateSeal {
  static final String FILE = "seal";
  static final int HEAD_BYTES = 32;

  private StateSeal() {}

  /** True when every file exists and has the length and head the seal records. */
  static boolean matches(Path dir, List<String> files) {
    try {
      byte[] stored = Files.readAllBytes(dir.resolve(FILE));
      byte[] expected = compute(dir, files);
      return Arrays.equals(stored, expected);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  static void write(Path dir, List<String> files) throws IOException {
    write(dir, compute(dir, files));
  }

  /** Writes the seal unless the one on disk already says the same (saves an fsync and a rename). */
  static void update(Path dir, List<String> files) throws IOException {
    byte[] seal = compute(dir, files);
    try {
      if (Arrays.equals(Files.readAllBytes(dir.resolve(FILE)), seal)) {
        return;
      }
    } catch (IOException e) {
      // no seal yet, or unreadable: write it
    }
    write(dir, seal);
  }

  private static void write(Path dir, byte[] seal) throws IOException {
    Path tmp = dir.resolve(FILE + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer b = ByteBuffer.wrap(seal);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
  }

  static void delete(Path dir) throws IOException {
    Files.deleteIfExists(dir.resolve(FILE));
  }

  private static byte[] compute(Path dir, List<String> files) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4 + files.size() * 12 + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(files.size());
    for (String name : files) {
      try (FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.READ)) {
        ByteBuffer head = ByteBuffer.allocate(HEAD_BYTES);
        while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
          // keep reading
        }
        CRC32C crc = new CRC32C();
        crc.update(head.array(), 0, head.position());
        b.putLong(ch.size()).putInt((int) crc.getValue());
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }
}
