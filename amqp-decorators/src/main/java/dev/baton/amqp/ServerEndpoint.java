package dev.baton.amqp;

import com.rabbitmq.client.Connection;
import dev.baton.core.internal.Faults;
import dev.baton.core.internal.SemConv;
import io.opentelemetry.api.trace.SpanBuilder;
import java.net.InetAddress;

/**
 * {@code server.address} and {@code server.port} of one channel's connection. The connection's
 * address is read on every span, because a recovering connection may come back on another node,
 * but the strings are remade only when it changed.
 */
final class ServerEndpoint {

  private final Connection connection;
  private volatile Resolved resolved;

  ServerEndpoint(Connection connection) {
    this.connection = connection;
  }

  void applyTo(SpanBuilder builder) {
    Resolved r = current();
    if (r != null) {
      builder.setAttribute(SemConv.SERVER_ADDRESS, r.host());
      builder.setAttribute(SemConv.SERVER_PORT, r.port());
    }
  }

  private Resolved current() {
    if (connection == null) {
      return null;
    }
    try {
      InetAddress address = connection.getAddress();
      int port = connection.getPort();
      Resolved r = resolved;
      if (r != null && r.address() == address && r.port() == port) {
        return r;
      }
      if (address == null) {
        return null;
      }
      r = new Resolved(address, hostOf(address), port);
      resolved = r;
      return r;
    } catch (RuntimeException e) {
      Faults.report("amqp server address", e);
      return null;
    }
  }

  /**
   * The host name the application connected with when the address carries one, else the literal
   * IP address. Never {@link InetAddress#getHostName()}, which may do a reverse DNS lookup.
   */
  static String hostOf(InetAddress address) {
    String s = address.toString(); // "host/1.2.3.4" or "/1.2.3.4"
    int slash = s.indexOf('/');
    if (slash > 0) {
      return s.substring(0, slash);
    }
    return address.getHostAddress();
  }

  /** The connection's address and port, and the host name taken from the address. */
  private record Resolved(InetAddress address, String host, long port) {}
}
