package io.ordo.it;

import io.ordo.protocol.wire.MessageType;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 between clients and a node: bytes from a client go through as they are;
 * frames from the node go through a {@link Rule}, which may change a frame in place or swallow it
 * and cut the connection (e.g. {@link #dropNth}, {@link DeliveryBitFlip}). Every thread it starts
 * is stopped by {@link #close}.
 */
final class FrameProxy implements AutoCloseable {
  /** Decides about each whole frame from the node (length field included); thread-safe. */
  interface Rule {
    /** May change {@code frame} in place; false swallows it and cuts the connection. */
    boolean forward(byte[] frame);
  }

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Rule rule;
  private final List<Socket> sockets = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean closed;

  FrameProxy(InetSocketAddress target, Rule rule) throws IOException {
    this.target = target;
    this.rule = rule;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    start(this::acceptLoop, "proxy-accept");
  }

  /**
   * Swallows the {@code n}th frame of {@code type} (counted over all connections) and cuts that
   * connection, counting it in {@code dropped}: for a PRODUCE_RESPONSE, the node stored the batch
   * and the client never hears so.
   */
  static Rule dropNth(MessageType type, int n, AtomicInteger dropped) {
    AtomicInteger untilDrop = new AtomicInteger(n);
    return frame -> {
      if (type(frame) == type.code() && untilDrop.decrementAndGet() == 0) {
        dropped.incrementAndGet();
        return false;
      }
      return true;
    };
  }

  /** The message type code of a whole frame. */
  static int type(byte[] frame) {
    return (frame[4] & 0xff) | (frame[5] & 0xff) << 8;
  }

  int port() {
    return server.getLocalPort();
  }

  private void start(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    synchronized (threads) {
      threads.add(t);
    }
    t.start();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(target.getAddress(), target.getPort());
        synchronized (sockets) {
          sockets.add(client);
          sockets.add(upstream);
        }
        start(() -> pumpBytes(client, upstream), "proxy-up");
        start(() -> pumpFrames(upstream, client), "proxy-down");
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void pumpBytes(Socket from, Socket to) {
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      // either side went away
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void pumpFrames(Socket from, Socket to) {
    try (DataInputStream in = new DataInputStream(from.getInputStream());
        OutputStream out = to.getOutputStream()) {
      while (true) {
        int length = Integer.reverseBytes(in.readInt());
        byte[] frame = new byte[4 + length];
        frame[0] = (byte) length;
        frame[1] = (byte) (length >> 8);
        frame[2] = (byte) (length >> 16);
        frame[3] = (byte) (length >> 24);
        in.readFully(frame, 4, length);
        if (!rule.forward(frame)) {
          return;
        }
        out.write(frame);
        out.flush();
      }
    } catch (IOException e) {
      // either side went away
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    synchronized (sockets) {
      sockets.forEach(FrameProxy::closeQuietly);
    }
    List<Thread> ts;
    synchronized (threads) {
      ts = new ArrayList<>(threads);
    }
    try {
      for (Thread t : ts) {
        t.join(10_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
