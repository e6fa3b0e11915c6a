package io.ordo.perf.platform;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Prepares a file as the log prepares a segment: zeros written from the start, then fsynced. */
final class ZeroFill {
  private ZeroFill() {}

  /** The block size O_DIRECT writes are aligned to. */
  static final int BLOCK = 4096;

  /** Creates (or empties) {@code file}, open for reading and writing. */
  static FileChannel openEmpty(Path file) throws IOException {
    return openEmpty(file, false);
  }

  /**
   * {@link #openEmpty(Path)}; with {@code direct}, O_DIRECT: writes of whole aligned blocks ({@link
   * #BLOCK}) bypass the page cache.
   */
  static FileChannel openEmpty(Path file, boolean direct) throws IOException {
    Set<OpenOption> options =
        new HashSet<>(
            List.of(
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE));
    if (direct) {
      options.add(ExtendedOpenOption.DIRECT);
    }
    return FileChannel.open(file, options);
  }

  /** {@link #openEmpty}, then {@code bytes} of zeros written and fsynced. */
  static FileChannel openPrepared(Path file, long bytes) throws IOException {
    FileChannel ch = openEmpty(file);
    try {
      zeroFill(ch, bytes);
      return ch;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  static void zeroFill(FileChannel ch, long bytes) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocateDirect(1024 * 1024);
    long pos = 0;
    while (pos < bytes) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - pos));
      while (zeros.hasRemaining()) {
        pos += ch.write(zeros, pos);
      }
    }
    ch.force(true);
  }
}
