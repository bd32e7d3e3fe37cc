package dev.baton.testing;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * The RabbitMQ broker tests talk to: the URI in {@code BATON_AMQP_URI} when set, else
 * {@code amqp://guest:guest@127.0.0.1:5672}. {@link #connectionFactory()} checks once that it
 * answers and otherwise fails with a message that says what to start.
 *
 * <pre>{@code
 * ConnectionFactory factory = LocalRabbitMq.connectionFactory();
 * try (Connection connection = factory.newConnection()) { ... }
 * }</pre>
 *
 * <p>Needs {@code com.rabbitmq:amqp-client} 5.x on the test classpath (an optional dependency of
 * {@code baton-testing}).
 *
 * @since 0.1.0
 */
public final class LocalRabbitMq {

  /** The environment variable naming another broker. */
  public static final String ENV = "BATON_AMQP_URI";
  /** The broker used when {@value #ENV} is not set. */
  public static final String DEFAULT_URI = "amqp://guest:guest@127.0.0.1:5672";

  private LocalRabbitMq() {}

  /**
   * Returns the broker's URI: {@value #ENV}, else {@value #DEFAULT_URI}.
   *
   * @return the URI, with credentials
   */
  public static String uri() {
    String env = System.getenv(ENV);
    return env == null || env.isBlank() ? DEFAULT_URI : env.trim();
  }

  /**
   * Returns a connection factory for {@link #uri()}, after checking that the broker answers.
   *
   * @return a factory with a 5 s connection timeout
   * @throws IllegalStateException when the broker does not answer, naming what to start
   */
  public static ConnectionFactory connectionFactory() {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(uri());
    } catch (Exception e) {
      throw new IllegalStateException(ENV + " is not a valid AMQP URI: " + e.getMessage(), e);
    }
    factory.setConnectionTimeout(5_000);
    boolean recovery = factory.isAutomaticRecoveryEnabled();
    factory.setAutomaticRecoveryEnabled(false);
    try (Connection probe = factory.newConnection("baton-testing-probe")) {
      // it answers
    } catch (Exception e) {
      throw new IllegalStateException(
          "No RabbitMQ answers at " + redacted(uri()) + " (" + e + "). Start one"
              + " ('rabbitmq-server -detached' on 127.0.0.1:5672, guest/guest) or set " + ENV
              + " to a broker that does.", e);
    } finally {
      factory.setAutomaticRecoveryEnabled(recovery);
    }
    return factory;
  }

  private static String redacted(String uri) {
    return uri.replaceAll("//[^@/]*@", "//");
  }
}
