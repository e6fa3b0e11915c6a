package io.ordo.broker.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.Messages;
import java.util.List;

/**
 * Cuts the inbound byte stream into whole frames (retained slices, no copy). The length prefix is
 * checked against the maximum before anything is buffered for the frame; a bad prefix is answered
 * with an ERROR frame and the connection is closed.
 *
 * <p>One instance per channel, on that channel's event loop.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private final int maxFrameBytes;
  private boolean broken;

  FrameDecoder(int maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (broken) {
      in.skipBytes(in.readableBytes());
      return;
    }
    int size;
    try {
      size = Frame.peekFrameSize(in, maxFrameBytes);
    } catch (OrdoException e) {
      broken = true;
      in.skipBytes(in.readableBytes());
      ByteBuf err = ctx.alloc().ioBuffer(128);
      Messages.writeError(err, 0, e.errorCode(), e.detail());
      ctx.writeAndFlush(err).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    if (size < 0 || in.readableBytes() < size) {
      return;
    }
    out.add(in.readRetainedSlice(size));
  }
}
