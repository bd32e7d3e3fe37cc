package dev.baton.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 in front of a broker, for cutting connections the way a network does:
 * {@link #cut()} closes every relayed connection at once (both sides see the socket close), and
 * {@link #refuse()} / {@link #accept()} close and reopen the listening port, so that a client's
 * reconnection attempts fail in between. The port stays the same for the proxy's life.
 *
 * <p>Two threads per relayed connection, one accept thread; all daemons. Thread-safe.
 */
public final class TcpProxy implements AutoCloseable {

  private static final String HOST = "127.0.0.1";

  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final Set<Socket> sockets = new HashSet<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private ServerSocket server;
  private boolean closed;

  private TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = listen(0);
    this.port = server.getLocalPort();
    startAccepting(server);
  }

  /** Starts relaying 127.0.0.1:{@link #port()} to {@code targetHost:targetPort}. */
  public static TcpProxy start(String targetHost, int targetPort) {
    try {
      return new TcpProxy(targetHost, targetPort);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + HOST, e);
    }
  }

  /** Where clients connect. */
  public int port() {
    return port;
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  /** Closes every relayed connection; new ones are still accepted. */
  public void cut() {
    Set<Socket> open;
    synchronized (this) {
      open = new HashSet<>(sockets);
      sockets.clear();
    }
    for (Socket s : open) {
      closeQuietly(s);
    }
  }

  /** Stops listening (connection attempts are refused) and cuts every relayed connection. */
  public void refuse() {
    synchronized (this) {
      if (server != null) {
        closeQuietly(server);
        server = null;
      }
    }
    cut();
  }

  /** Listens again on the same port after {@link #refuse()}. */
  public synchronized void accept() {
    if (closed || server != null) {
      return;
    }
    try {
      server = listen(port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + HOST + ":" + port + " again", e);
    }
    startAccepting(server);
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    refuse();
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getByName(HOST), port), 50);
    return s;
  }

  private void startAccepting(ServerSocket listening) {
    Thread t = new Thread(() -> acceptLoop(listening), "tcp-proxy-" + port + "-accept");
    t.setDaemon(true);
    t.start();
  }

  private void acceptLoop(ServerSocket listening) {
    while (!listening.isClosed()) {
      Socket client;
      try {
        client = listening.accept();
      } catch (IOException e) {
        return; // closed by refuse() or close()
      }
      Socket upstream = new Socket();
      try {
        upstream.connect(new InetSocketAddress(targetHost, targetPort), 2_000);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      synchronized (this) {
        if (closed) {
          closeQuietly(client);
          closeQuietly(upstream);
          return;
        }
        sockets.add(client);
        sockets.add(upstream);
      }
      accepted.incrementAndGet();
      relay(client, upstream, "up");
      relay(upstream, client, "down");
    }
  }

  private void relay(Socket from, Socket to, String direction) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (SocketException e) {
        // cut, or the other side went away
      } catch (IOException e) {
        // the same, reported differently
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        synchronized (this) {
          sockets.remove(from);
          sockets.remove(to);
        }
      }
    }, "tcp-proxy-" + port + "-" + direction);
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public String toString() {
    return "TCP proxy " + HOST + ":" + port + " -> " + targetHost + ":" + targetPort;
  }
}
