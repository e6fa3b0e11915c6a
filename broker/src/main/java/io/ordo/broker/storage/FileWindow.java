package io.ordo.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * A buffered view of a region of a file read with positional reads, so that walking many small
 * batch headers costs one read per window rather than one per header. Grows when asked for a region
 * larger than its capacity. Not thread-safe: one instance per thread.
 */
final class FileWindow {
  private final int defaultCapacity;
  private ByteBuffer buffer;
  private FileChannel channel;
  private long start;
  private int length;

  FileWindow(int capacity) {
    this.defaultCapacity = capacity;
    this.buffer = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Forgets what was read, and reads from {@code channel} from now on. */
  FileWindow reset(FileChannel channel) {
    this.channel = channel;
    this.start = -1;
    this.length = 0;
    if (buffer.capacity() > defaultCapacity) {
      buffer = ByteBuffer.allocate(defaultCapacity).order(ByteOrder.LITTLE_ENDIAN);
    }
    return this;
  }

  /** The buffer holding the window; little-endian, indexed absolutely. */
  ByteBuffer buffer() {
    return buffer;
  }

  /**
   * Makes the file bytes {@code [position, position + n)} available in {@link #buffer()}, reading
   * ahead up to {@code limit} (exclusive), and returns the index of {@code position} in the buffer.
   *
   * @return the index, or -1 when the file ends before {@code position + n}
   */
  int ensure(long position, int n, long limit) throws IOException {
    if (start >= 0 && position >= start && position + n <= start + length) {
      return (int) (position - start);
    }
    if (n > buffer.capacity()) {
      buffer = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
    int toRead = (int) Math.max(0, Math.min(buffer.capacity(), limit - position));
    buffer.clear().limit(toRead);
    while (buffer.hasRemaining()) {
      int r = channel.read(buffer, position + buffer.position());
      if (r < 0) {
        break;
      }
    }
    start = position;
    length = buffer.position();
    buffer.clear();
    return length >= n ? 0 : -1;
  }
}
