package io.ordo.producer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.ordo.protocol.wire.Frame;
import java.util.List;

/**
 * Cuts the inbound byte stream into whole frames (see {@link Frame}). The length prefix is checked
 * against the current maximum before the frame's bytes are buffered, so a huge prefix fails the
 * connection instead of allocating. Emits retained slices; the next handler releases them.
 *
 * <p>Event-loop thread only.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private int maxFrameBytes;

  FrameDecoder(int maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
  }

  void maxFrameBytes(int maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int size = Frame.peekFrameSize(in, maxFrameBytes);
    if (size >= 0 && in.readableBytes() >= size) {
      out.add(in.readRetainedSlice(size));
    }
  }
}
