package io.ordo.perf.platform;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Prepares a file as the log prepares a segment: zeros written from the start, then fsynced. */
final class ZeroFill {
  private ZeroFill() {}

  /** The block size O_DIRECT writes are aligned to. */
  static final int BLOCK = 4096;

  /** Creates (or empties) {@code file}, open for reading and writing. */
  static FileChannel openEmpty(Path file) throws IOException {
    return FileChannel.open(
        file,
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.READ,
        StandardOpenOption.WRITE);
  }

  /** {@link #openEmpty} with O_DIRECT: writes of whole aligned blocks bypass the page cache. */
  static FileChannel openEmptyDirect(Path file) throws IOException {
    return FileChannel.open(
        file,
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.READ,
        StandardOpenOption.WRITE,
        ExtendedOpenOption.DIRECT);
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
