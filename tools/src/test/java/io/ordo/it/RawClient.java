package io.ordo.it;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.Messages;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A blocking socket that speaks raw frames, for tests that send what a well-behaved client never
 * would. Reads time out after 10 s so a test cannot hang on a silent broker.
 */
final class RawClient implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;

  RawClient(InetSocketAddress address) throws IOException {
    socket = new Socket();
    socket.connect(address, 5_000);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    InputStream raw = socket.getInputStream();
    in = new DataInputStream(raw);
  }

  void send(ByteBuf buf) throws IOException {
    byte[] bytes = new byte[buf.readableBytes()];
    buf.readBytes(bytes);
    buf.release();
    out.write(bytes);
    out.flush();
  }

  void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void hello() throws IOException {
    ByteBuf b = Unpooled.buffer();
    Messages.writeHello(b, 1, new Messages.Hello((short) 1, (short) 1, "raw-test"));
    send(b);
    ByteBuf reply = readFrame();
    if (Frame.type(reply) != io.ordo.protocol.wire.MessageType.HELLO_OK.code()) {
      throw new IOException("handshake refused");
    }
  }

  /** Reads one whole frame; the reader index is at the frame start. */
  ByteBuf readFrame() throws IOException {
    int length = Integer.reverseBytes(in.readInt());
    if (length < 12 || length > Frame.DEFAULT_MAX_FRAME_BYTES) {
      throw new IOException("bad frame length from broker: " + length);
    }
    byte[] rest = new byte[length];
    in.readFully(rest);
    ByteBuf frame = Unpooled.buffer(length + 4);
    frame.writeIntLE(length);
    frame.writeBytes(rest);
    return frame;
  }

  /** True when the broker closed the connection (EOF) within the read timeout. */
  boolean closedByPeer() throws IOException {
    try {
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (EOFException e) {
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // connection reset
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
