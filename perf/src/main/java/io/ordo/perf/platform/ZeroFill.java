package io.ordo.perf.platform;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Prepares a file as the log prepares a segment: zeros written from the start, then fsynced. */
final class ZeroFill {
  private ZeroFill() {}

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
