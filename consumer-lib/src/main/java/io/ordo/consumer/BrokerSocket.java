package io.ordo.consumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.MessageType;
import io.ordo.protocol.wire.Messages;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A blocking TCP connection to a broker that speaks frames: the handshake, whole-frame reads into
 * one reused buffer (its length checked before growing), and writes serialized by a lock (the
 * consumer thread and the heartbeat timer both write).
 *
 * <p>Reads from one thread; writes from any.
 */
final class BrokerSocket implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final Object writeLock = new Object();
  private byte[] readBuffer = new byte[64 * 1024];
  private int maxFrameBytes = 64 * 1024;

  BrokerSocket(InetSocketAddress address, int connectTimeoutMs, int readTimeoutMs)
      throws IOException {
    socket = new Socket();
    try {
      socket.connect(address, connectTimeoutMs);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(readTimeoutMs);
      socket.setReceiveBufferSize(1024 * 1024);
      in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 256 * 1024));
      out = socket.getOutputStream();
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** Says HELLO and checks the answer; sets the frame limit from the broker's limits. */
  Messages.HelloOk handshake(String clientId, int maxBatchBytes) throws IOException {
    ByteBuf b = Unpooled.buffer();
    Messages.writeHello(
        b,
        0,
        new Messages.Hello(Messages.MIN_PROTOCOL_VERSION, Messages.PROTOCOL_VERSION, clientId));
    send(b);
    ByteBuf f = readFrame();
    int type = Frame.type(f);
    Frame.skipHeader(f);
    if (type == MessageType.ERROR.code()) {
      Messages.Error e = Messages.readError(f);
      throw new OrdoException(e.code(), e.message());
    }
    if (type != MessageType.HELLO_OK.code()) {
      throw new OrdoException(ErrorCode.MALFORMED_FRAME, "expected HELLO_OK, got type " + type);
    }
    Messages.HelloOk ok = Messages.readHelloOk(f);
    maxFrameBytes =
        Math.max(ok.maxFrameBytes(), Math.max(ok.maxBatchBytes(), maxBatchBytes) + 4096);
    return ok;
  }

  void send(ByteBuf frame) throws IOException {
    try {
      synchronized (writeLock) {
        frame.readBytes(out, frame.readableBytes());
        out.flush();
      }
    } finally {
      frame.release();
    }
  }

  /**
   * Reads one whole frame into the reused buffer; the returned buffer's reader index is at the
   * frame start and it is valid until the next read.
   *
   * @throws SocketTimeoutException when nothing arrives within the read timeout (try again)
   */
  ByteBuf readFrame() throws IOException {
    int length = Integer.reverseBytes(in.readInt());
    if (length < Frame.HEADER_LENGTH - 4 || length > maxFrameBytes) {
      throw new OrdoException(
          ErrorCode.MALFORMED_FRAME, "frame length " + length + " from the broker is out of range");
    }
    if (readBuffer.length < length + 4) {
      readBuffer = new byte[Math.max(length + 4, readBuffer.length * 2)];
    }
    in.readFully(readBuffer, 4, length);
    ByteBuf f = Unpooled.wrappedBuffer(readBuffer, 0, length + 4);
    f.setIntLE(0, length);
    return f;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
