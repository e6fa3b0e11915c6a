package io.ordo.protocol.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TransportTest {
  @Test
  void parsesTheThreeNamesInAnyCaseAndNamesTheSettingWhenItCannot() {
    assertThat(Transport.parse("x", " Epoll ")).isEqualTo(Transport.EPOLL);
    assertThat(Transport.parse("x", "NIO")).isEqualTo(Transport.NIO);
    assertThat(Transport.parse("x", "auto")).isEqualTo(Transport.AUTO);
    assertThatThrownBy(() -> Transport.parse("io.transport", "kqueue"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("io.transport must be auto, nio or epoll, not 'kqueue'");
  }

  @Test
  void autoIsEpollWhereItLoadsAndNioElsewhere() {
    assertThat(Transport.AUTO.resolve())
        .isEqualTo(Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO);
    assertThat(Transport.NIO.resolve()).isEqualTo(Transport.NIO);
    assertThat(Transport.NIO.serverChannelClass()).isEqualTo(NioServerSocketChannel.class);
  }

  private static void assertMakes(Transport t, Class<? extends EventLoopGroup> expected) {
    EventLoopGroup g = t.newEventLoopGroup(1, new DefaultThreadFactory("transport-test", true));
    try {
      assertThat(g).isInstanceOf(expected);
    } finally {
      g.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
  }

  @Test
  void epollMakesEpollLoopsWhereItLoadsAndSaysWhyNotElsewhere() {
    if (Epoll.isAvailable()) {
      assertThat(Transport.EPOLL.socketChannelClass()).isEqualTo(EpollSocketChannel.class);
      assertMakes(Transport.EPOLL, EpollEventLoopGroup.class);
    } else {
      assertThatThrownBy(Transport.EPOLL::resolve)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("the epoll transport is not available here");
    }
    assertMakes(Transport.NIO, NioEventLoopGroup.class);
  }
}
