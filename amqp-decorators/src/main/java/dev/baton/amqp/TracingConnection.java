package dev.baton.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.RecoverableConnection;
import java.io.IOException;
import java.util.Optional;

/**
 * A {@link ForwardingConnection} whose channels are all {@link TracingChannel}s: it overrides only
 * {@code createChannel} and {@code openChannel}. The connection's {@code server.address} and
 * {@code server.port} are resolved once for all its channels.
 */
sealed class TracingConnection extends ForwardingConnection permits RecoverableTracingConnection {

  private final AmqpSpans spans;
  private final ServerEndpoint endpoint;

  TracingConnection(Connection delegate, AmqpSpans spans) {
    super(delegate);
    this.spans = spans;
    this.endpoint = new ServerEndpoint(delegate);
  }

  /** Wraps {@code connection}, staying a {@link RecoverableConnection} when it is one. */
  static TracingConnection wrap(Connection connection, AmqpSpans spans) {
    return connection instanceof RecoverableConnection
        ? new RecoverableTracingConnection((RecoverableConnection) connection, spans)
        : new TracingConnection(connection, spans);
  }

  @Override
  public Channel createChannel() throws IOException {
    return traced(delegate.createChannel());
  }

  @Override
  public Channel createChannel(int channelNumber) throws IOException {
    return traced(delegate.createChannel(channelNumber));
  }

  @Override
  public Optional<Channel> openChannel() throws IOException {
    return traced(delegate.openChannel());
  }

  @Override
  public Optional<Channel> openChannel(int channelNumber) throws IOException {
    return traced(delegate.openChannel(channelNumber));
  }

  private Optional<Channel> traced(Optional<Channel> channel) {
    return channel.isPresent() ? Optional.of(traced(channel.get())) : channel;
  }

  private Channel traced(Channel channel) {
    // null: no channel number was free.
    return channel == null ? null : TracingChannel.wrap(channel, spans, endpoint, this);
  }
}
