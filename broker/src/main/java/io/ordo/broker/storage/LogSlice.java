package io.ordo.broker.storage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Whole batches lying back to back in one segment file, to be sent without a copy ({@link
 * FileChannel#transferTo} or a Netty {@code DefaultFileRegion} over {@link #channel()}). Immutable
 * and thread-safe; it reads the file only through positional calls.
 *
 * <p>The channel belongs to the log: never close it. It stays readable for {@link
 * LogConfig#fileDeleteDelayMs()} after retention deletes the segment, so send the slice promptly.
 */
public final class LogSlice {
  /** No batch: the reader is at the end of the log or at the commit offset. */
  public static final LogSlice EMPTY = new LogSlice(null, 0, 0, -1, -1);

  private final FileChannel channel;
  private final long position;
  private final int length;
  private final long firstOffset;
  private final long nextOffset;

  LogSlice(FileChannel channel, long position, int length, long firstOffset, long nextOffset) {
    this.channel = channel;
    this.position = position;
    this.length = length;
    this.firstOffset = firstOffset;
    this.nextOffset = nextOffset;
  }

  /** The segment file; null for {@link #EMPTY}. */
  public FileChannel channel() {
    return channel;
  }

  /** File position of the first batch. */
  public long position() {
    return position;
  }

  /** Bytes in the slice: whole batches only. */
  public int length() {
    return length;
  }

  /** Base offset of the first batch (at or below the offset asked for). */
  public long firstOffset() {
    return firstOffset;
  }

  /** Offset after the last batch in the slice: where the next read continues. */
  public long nextOffset() {
    return nextOffset;
  }

  public boolean isEmpty() {
    return length == 0;
  }

  /** Copies the slice into a new little-endian heap buffer (for tests and {@code log dump}). */
  public ByteBuffer readFully() throws IOException {
    ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (out.hasRemaining()) {
      int n = channel.read(out, position + out.position());
      if (n < 0) {
        throw new EOFException(
            "segment file ended " + out.remaining() + " bytes before the end of the slice");
      }
    }
    return out.flip();
  }

  @Override
  public String toString() {
    return isEmpty()
        ? "LogSlice.EMPTY"
        : "LogSlice{offsets ["
            + firstOffset
            + ", "
            + nextOffset
            + "), position "
            + position
            + ", "
            + length
            + " bytes}";
  }
}
