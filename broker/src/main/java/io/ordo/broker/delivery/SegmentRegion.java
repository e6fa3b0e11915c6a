package io.ordo.broker.delivery;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A run of batches in a segment file, written to the socket with {@link FileChannel#transferTo} (no
 * copy through the heap). Unlike Netty's {@code DefaultFileRegion} it never closes the file: the
 * log owns the channel (and keeps it open for {@code fileDeleteDelayMs} after retention deletes the
 * segment).
 *
 * <p>Used by one event loop.
 */
final class SegmentRegion extends AbstractReferenceCounted implements FileRegion {
  private final FileChannel file;
  private final long position;
  private final long count;
  private long transferred;

  SegmentRegion(FileChannel file, long position, long count) {
    this.file = file;
    this.position = position;
    this.count = count;
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  @Deprecated
  public long transfered() {
    return transferred;
  }

  @Override
  public long transferred() {
    return transferred;
  }

  @Override
  public long count() {
    return count;
  }

  @Override
  public long transferTo(WritableByteChannel target, long pos) throws IOException {
    long left = count - pos;
    if (left <= 0) {
      return 0;
    }
    long n = file.transferTo(position + pos, left, target);
    if (n > 0) {
      transferred += n;
    } else if (n == 0 && position + pos >= file.size()) {
      throw new IOException(
          "segment file ended at " + file.size() + " before " + (position + count));
    }
    return n;
  }

  @Override
  public FileRegion retain() {
    super.retain();
    return this;
  }

  @Override
  public FileRegion retain(int increment) {
    super.retain(increment);
    return this;
  }

  @Override
  public FileRegion touch() {
    return this;
  }

  @Override
  public FileRegion touch(Object hint) {
    return this;
  }

  @Override
  protected void deallocate() {
    // The log owns the file channel.
  }
}
