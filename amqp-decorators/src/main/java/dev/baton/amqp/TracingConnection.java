package dev.baton.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.RecoverableConnection;
import dev.baton.core.internal.ForwardingHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Optional;

/**
 * A traced {@link Connection}: a {@link Proxy} whose every call goes to the wrapped connection,
 * default methods included, and whose channels ({@code createChannel}, {@code openChannel}) are
 * all {@link TracingChannel}s. The proxy is a {@link RecoverableConnection} exactly when the
 * wrapped connection is one; recovery listeners are registered on the wrapped connection and
 * receive it, not the proxy. The connection's {@code server.address} and {@code server.port} are
 * resolved once for all its channels.
 *
 * <p>A proxy, unlike the channel's forwarding class, because connection methods are called rarely
 * and never per message (spans read the wrapped connection): the reflective call costs nothing
 * that matters, and no list of methods has to keep up with amqp-client.
 */
final class TracingConnection extends ForwardingHandler<Connection> {

  private final AmqpSpans spans;
  private final ServerEndpoint endpoint;

  private TracingConnection(Connection delegate, AmqpSpans spans) {
    super(delegate);
    this.spans = spans;
    this.endpoint = new ServerEndpoint(delegate);
  }

  /** Wraps {@code connection}, staying a {@link RecoverableConnection} when it is one. */
  static Connection wrap(Connection connection, AmqpSpans spans) {
    Class<? extends Connection> type =
        connection instanceof RecoverableConnection
            ? RecoverableConnection.class
            : Connection.class;
    return new TracingConnection(connection, spans).newProxy(type);
  }

  /** Whether {@code connection} is a proxy made by {@link #wrap}. */
  static boolean isTraced(Connection connection) {
    return Proxy.isProxyClass(connection.getClass())
        && Proxy.getInvocationHandler(connection) instanceof TracingConnection;
  }

  /** The wrapped connection. */
  Connection wrapped() {
    return delegate;
  }

  @Override
  protected Object handle(Object proxy, Method method, Object[] args) throws Throwable {
    Object result = forward(method, args);
    switch (method.getName()) {
      case "createChannel":
        return traced((Channel) result, (Connection) proxy);
      case "openChannel":
        @SuppressWarnings("unchecked")
        Optional<Channel> channel = (Optional<Channel>) result;
        return channel.isPresent()
            ? Optional.of(traced(channel.get(), (Connection) proxy))
            : channel;
      default:
        return result;
    }
  }

  private Channel traced(Channel channel, Connection connection) {
    // null: no channel number was free.
    return channel == null ? null : TracingChannel.wrap(channel, spans, endpoint, connection);
  }
}
