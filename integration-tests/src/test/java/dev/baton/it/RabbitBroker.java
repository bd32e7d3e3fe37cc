package dev.baton.it;

import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeoutException;

/**
 * The RabbitMQ broker integration tests use: {@code BATON_AMQP_URI} when set, else
 * {@value #DEFAULT_URI} (started on every development and CI machine). Obtained as a test
 * parameter with {@code @ExtendWith(RabbitBrokerExtension.class)}, which checks once per test
 * JVM that it answers.
 *
 * <p>Immutable and thread-safe.
 */
public final class RabbitBroker {

  static final String ENV = "BATON_AMQP_URI";
  static final String DEFAULT_URI = "amqp://guest:guest@127.0.0.1:5672";
  private static final int CONNECT_TIMEOUT_MS = 2_000;

  private final String uri;

  RabbitBroker(String uri) {
    this.uri = uri;
  }

  static RabbitBroker fromEnvironment() {
    String uri = System.getenv(ENV);
    return new RabbitBroker(uri == null || uri.isBlank() ? DEFAULT_URI : uri.trim());
  }

  /** The AMQP URI, credentials included. */
  public String uri() {
    return uri;
  }

  /**
   * A new factory for this broker: connect timeout 2 s, everything else (automatic recovery
   * included) at the amqp-client defaults. Each call returns a fresh factory that the caller
   * may change.
   */
  public ConnectionFactory connectionFactory() {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(uri);
    } catch (URISyntaxException | GeneralSecurityException e) {
      throw new IllegalArgumentException("bad AMQP URI " + redacted(), e);
    }
    factory.setConnectionTimeout(CONNECT_TIMEOUT_MS);
    return factory;
  }

  /** Opens and closes one connection; throws a message naming what to start when none opens. */
  void checkReachable() {
    try {
      connectionFactory().newConnection("baton-it-probe").close();
    } catch (IOException | TimeoutException e) {
      String hint = System.getenv(ENV) != null
          ? "Start the broker " + ENV + " points at, or unset " + ENV + "."
          : "Start a local one with `rabbitmq-server -detached`, or set " + ENV
              + " to the URI of a running broker.";
      throw new IllegalStateException("No RabbitMQ broker answers at " + redacted() + " (" + e
          + "). " + hint, e);
    }
  }

  @Override
  public String toString() {
    return "RabbitMQ at " + redacted();
  }

  /** The URI without its password, for messages. */
  String redacted() {
    try {
      URI parsed = new URI(uri);
      String userInfo = parsed.getUserInfo();
      if (userInfo == null || !userInfo.contains(":")) {
        return uri;
      }
      return uri.replace(userInfo, userInfo.substring(0, userInfo.indexOf(':')) + ":***");
    } catch (URISyntaxException e) {
      return "(unparsable " + ENV + ")";
    }
  }
}
