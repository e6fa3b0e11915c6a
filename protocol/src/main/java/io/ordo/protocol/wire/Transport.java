package io.ordo.protocol.wire;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;

/**
 * Which Netty transport the event loops of a node or a producer use. {@link #EPOLL} is Netty's
 * native Linux transport (fewer system calls and less garbage per read than the JDK selector, and
 * {@code sendfile} for file regions); {@link #NIO} is the JDK's, everywhere. {@link #AUTO}, the
 * default, takes epoll where its native library loads and NIO elsewhere.
 */
public enum Transport {
  AUTO,
  NIO,
  EPOLL;

  /**
   * Parses {@code auto}, {@code nio} or {@code epoll} (any case).
   *
   * @param setting the setting's name, for the error message
   */
  public static Transport parse(String setting, String value) {
    for (Transport t : values()) {
      if (t.name().equalsIgnoreCase(value.trim())) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        setting + " must be auto, nio or epoll, not '" + value + "'");
  }

  /**
   * The concrete transport: AUTO becomes EPOLL or NIO.
   *
   * @throws IllegalStateException for EPOLL where the native transport cannot load, with the reason
   */
  public Transport resolve() {
    switch (this) {
      case AUTO:
        return Epoll.isAvailable() ? EPOLL : NIO;
      case EPOLL:
        if (!Epoll.isAvailable()) {
          throw new IllegalStateException(
              "the epoll transport is not available here: " + Epoll.unavailabilityCause());
        }
        return EPOLL;
      default:
        return NIO;
    }
  }

  public EventLoopGroup newEventLoopGroup(int threads, ThreadFactory factory) {
    return resolve() == EPOLL
        ? new EpollEventLoopGroup(threads, factory)
        : new NioEventLoopGroup(threads, factory);
  }

  public Class<? extends ServerChannel> serverChannelClass() {
    return resolve() == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public Class<? extends SocketChannel> socketChannelClass() {
    return resolve() == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** The lower-case name used in configuration. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
