package io.ordo.consumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.MessageType;
import io.ordo.protocol.wire.Messages;
import io.ordo.protocol.wire.ReadMessages;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Read-only questions to a node: the streams it holds and its consumer groups. One blocking
 * connection; not thread-safe.
 */
public final class Admin implements AutoCloseable {
  private final BrokerSocket socket;
  private long nextId = 1;

  private Admin(BrokerSocket socket) {
    this.socket = socket;
  }

  /** Connects to {@code host:port} and says hello. */
  public static Admin connect(String hostPort) throws IOException {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("'" + hostPort + "' is not host:port");
    }
    InetSocketAddress address =
        new InetSocketAddress(
            hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    BrokerSocket s = new BrokerSocket(address, 5_000, 30_000);
    try {
      s.handshake("ordo-admin", 1024 * 1024);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    return new Admin(s);
  }

  public ReadMessages.StreamList listStreams(String prefix) throws IOException {
    ByteBuf b = Unpooled.buffer();
    ReadMessages.writeListStreams(b, nextId++, prefix);
    socket.send(b);
    ByteBuf f = expect(MessageType.LIST_STREAMS_RESPONSE);
    return ReadMessages.readListStreamsResponse(f);
  }

  public ReadMessages.GroupList describeGroups(String group) throws IOException {
    ByteBuf b = Unpooled.buffer();
    ReadMessages.writeDescribeGroups(b, nextId++, group);
    socket.send(b);
    ByteBuf f = expect(MessageType.DESCRIBE_GROUPS_RESPONSE);
    return ReadMessages.readDescribeGroupsResponse(f);
  }

  private ByteBuf expect(MessageType type) throws IOException {
    ByteBuf f = socket.readFrame();
    int t = Frame.type(f);
    Frame.skipHeader(f);
    if (t == MessageType.ERROR.code()) {
      Messages.Error e = Messages.readError(f);
      throw new OrdoException(e.code(), e.message());
    }
    if (t != type.code()) {
      throw new OrdoException(ErrorCode.MALFORMED_FRAME, "expected " + type + ", got type " + t);
    }
    return f;
  }

  @Override
  public void close() {
    socket.close();
  }
}
