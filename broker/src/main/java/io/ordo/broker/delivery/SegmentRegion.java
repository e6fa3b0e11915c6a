package io.ordo.broker.delivery;

import io.netty.channel.DefaultFileRegion;
import java.nio.channels.FileChannel;

/**
 * A run of batches in a segment file, written to the socket without a copy through the heap: the
 * epoll transport sends a {@link DefaultFileRegion} with {@code sendfile} on the file's descriptor,
 * NIO with {@link FileChannel#transferTo} (which uses {@code sendfile} too). A run the file turns
 * out to be too short for fails the write with an {@code IOException}. Unlike its parent it never
 * closes the file: the log owns the channel (and keeps it open for {@code fileDeleteDelayMs} after
 * retention deletes the segment).
 *
 * <p>Used by one event loop.
 */
final class SegmentRegion extends DefaultFileRegion {
  SegmentRegion(FileChannel file, long position, long count) {
    super(file, position, count);
  }

  @Override
  protected void deallocate() {
    // The log owns the file channel.
  }
}
