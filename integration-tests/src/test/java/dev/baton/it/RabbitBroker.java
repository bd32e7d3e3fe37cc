package dev.baton.it;

import com.rabbitmq.client.ConnectionFactory;
import dev.baton.testing.LocalRabbitMq;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The RabbitMQ broker integration tests use, chosen once per test JVM by
 * {@link RabbitBrokerExtension} in this order (see {@link #choose}):
 *
 * <ol>
 *   <li>{@code BATON_AMQP_URI} when set, used as it is (it must answer; no fallback);
 *   <li>else {@value #DEFAULT_URI} when it answers (started on every development and CI
 *       machine);
 *   <li>else, when a Docker engine answers, a RabbitMQ container started with Testcontainers
 *       ({@link RabbitContainer}) and stopped when the JUnit run ends;
 *   <li>else every test that asks for a broker fails with a message naming what to start.
 * </ol>
 *
 * <p>Obtained as a test parameter with {@code @ExtendWith(RabbitBrokerExtension.class)}.
 * Immutable and thread-safe.
 */
public final class RabbitBroker {

  /** baton-testing's: the one place these are written. */
  static final String ENV = LocalRabbitMq.ENV;
  static final String DEFAULT_URI = LocalRabbitMq.DEFAULT_URI;
  private static final int CONNECT_TIMEOUT_MS = 2_000;

  private final String uri;

  RabbitBroker(String uri) {
    this.uri = uri;
  }

  /** Where the broker comes from; see {@link #choose}. */
  enum Source {
    /** {@code BATON_AMQP_URI}: used as it is, checked, never replaced by another broker. */
    ENVIRONMENT,
    /** {@value #DEFAULT_URI}, which answered. */
    LOCAL,
    /** A container started with Testcontainers: nothing answered, a Docker engine did. */
    TESTCONTAINERS,
    /** Nothing: tests fail with {@link #noBrokerMessage}. */
    NONE
  }

  /**
   * The decision, with each probe run only when the earlier answers leave it open: an
   * environment URI wins without any probe; the local port is probed only without one; Docker is
   * asked only when the local port does not answer. So the usual path (a broker on 5672) never
   * touches Docker or loads a Testcontainers class.
   *
   * @param envUri the value of {@code BATON_AMQP_URI}, null or blank when unset
   * @param localAnswers whether {@value #DEFAULT_URI} accepts a connection
   * @param dockerAvailable whether a Docker engine answers (Testcontainers' own check)
   */
  static Source choose(
      String envUri, BooleanSupplier localAnswers, BooleanSupplier dockerAvailable) {
    if (envUri != null && !envUri.isBlank()) {
      return Source.ENVIRONMENT;
    }
    if (localAnswers.getAsBoolean()) {
      return Source.LOCAL;
    }
    if (dockerAvailable.getAsBoolean()) {
      return Source.TESTCONTAINERS;
    }
    return Source.NONE;
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

  /**
   * Opens and closes one connection; when none opens, throws a message saying where nothing
   * answered and why, followed by {@code hint}: what to start.
   */
  void checkReachable(String hint) {
    Exception failure = connectOnce();
    if (failure != null) {
      throw new IllegalStateException("No RabbitMQ broker answers at " + redacted() + " ("
          + failure + "). " + hint, failure);
    }
  }

  /** Opens and closes one connection (2 s connect timeout): null when it worked, else why not. */
  Exception connectOnce() {
    try {
      connectionFactory().newConnection("baton-it-probe").close();
      return null;
    } catch (IOException | TimeoutException e) {
      return e;
    }
  }

  /**
   * Why no broker could be had, for {@link Source#NONE}: neither {@code BATON_AMQP_URI} nor a
   * broker on {@value #DEFAULT_URI}, and no Docker engine for Testcontainers.
   *
   * @param local the local broker that was tried ({@value #DEFAULT_URI})
   * @param localFailure why it did not answer
   */
  static String noBrokerMessage(RabbitBroker local, Exception localFailure) {
    return "No RabbitMQ broker answers at " + local.redacted() + " ("
        + localFailure + "), " + ENV + " is not set, and no Docker engine answers for"
        + " Testcontainers. Start a local one with `rabbitmq-server -detached`, or set " + ENV
        + " to the URI of a running broker, or a Docker engine for Testcontainers.";
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
