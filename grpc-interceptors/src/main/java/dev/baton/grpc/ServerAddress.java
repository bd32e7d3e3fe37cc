package dev.baton.grpc;

import dev.baton.core.internal.SemConv;
import io.opentelemetry.api.trace.SpanBuilder;

/**
 * {@code server.address} and {@code server.port} parsed from a gRPC authority ({@code host},
 * {@code host:port} or {@code [v6]:port}), as the RPC conventions ask: the configured name, never
 * the connected socket. When no host and port can be told apart (an in-process name, a Unix
 * socket path), the whole authority is the address and there is no port. Immutable.
 *
 * <p>Channels talk to one authority almost always, so each interceptor keeps the last parse
 * ({@link Cache}) and a call costs one string comparison.
 */
final class ServerAddress {

  static final ServerAddress NONE = new ServerAddress(null, null, -1);

  final String authority;
  final String address;
  final long port;

  private ServerAddress(String authority, String address, long port) {
    this.authority = authority;
    this.address = address;
    this.port = port;
  }

  static ServerAddress parse(String authority) {
    if (authority == null || authority.isEmpty()) {
      return NONE;
    }
    String host = authority;
    long port = -1;
    int colon = authority.lastIndexOf(':');
    if (authority.charAt(0) == '[') {
      int close = authority.indexOf(']');
      if (close > 1) {
        host = authority.substring(1, close);
        if (close + 1 < authority.length() && authority.charAt(close + 1) == ':') {
          port = port(authority, close + 2);
        }
      }
    } else if (colon > 0 && colon == authority.indexOf(':')) {
      long p = port(authority, colon + 1);
      if (p >= 0) {
        host = authority.substring(0, colon);
        port = p;
      }
    }
    // A userinfo part ("user@host") is legal in an authority but not part of the host.
    int at = host.lastIndexOf('@');
    if (at >= 0 && at + 1 < host.length()) {
      host = host.substring(at + 1);
    }
    return new ServerAddress(authority, host, port);
  }

  /** The port from {@code from} to the end, or -1 when that is not a port number. */
  private static long port(String s, int from) {
    int n = s.length() - from;
    if (n < 1 || n > 5) {
      return -1;
    }
    int p = 0;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      p = p * 10 + (c - '0');
    }
    return p <= 65535 ? p : -1;
  }

  void applyTo(SpanBuilder builder) {
    if (address != null) {
      builder.setAttribute(SemConv.SERVER_ADDRESS, address);
      if (port >= 0) {
        builder.setAttribute(SemConv.SERVER_PORT, port);
      }
    }
  }

  /** The last parse, reused while the authority stays the same. Thread-safe. */
  static final class Cache {
    private volatile ServerAddress last = NONE;

    ServerAddress get(String authority) {
      ServerAddress l = last;
      if (authority == null) {
        return NONE;
      }
      if (authority.equals(l.authority)) {
        return l;
      }
      ServerAddress parsed = parse(authority);
      last = parsed;
      return parsed;
    }
  }
}
