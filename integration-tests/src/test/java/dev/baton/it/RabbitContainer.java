package dev.baton.it;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.rabbitmq.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The RabbitMQ fixture's last resort: a broker in a Docker container, started with Testcontainers
 * when neither {@code BATON_AMQP_URI} nor 127.0.0.1:5672 is there and a Docker engine answers.
 * Once per test JVM ({@link RabbitBrokerExtension} keeps it), stopped when the JUnit run ends
 * (and by Testcontainers' own reaper if the JVM dies first).
 *
 * <p>This is the only class that names Testcontainers. Nothing loads it on the usual path (a
 * broker on 5672), so there Docker is never asked and Testcontainers never initialised. Its
 * logging is off in {@code logback-test.xml}; what goes wrong reaches the test as the failure.
 */
final class RabbitContainer implements AutoCloseable {

  /** The image, unless {@code -Dbaton.rabbitmq.image=...} names another {@code rabbitmq} tag. */
  static final String DEFAULT_IMAGE = "rabbitmq:4.1-alpine";

  private final RabbitMQContainer container;

  private RabbitContainer(RabbitMQContainer container) {
    this.container = container;
  }

  /**
   * Whether a Docker engine answers, by Testcontainers' own check (about 0.3 s to say no when
   * there is no engine; the answer is cached for the JVM). False, not an error, when
   * Testcontainers is not on the classpath at all.
   */
  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (LinkageError | RuntimeException e) {
      return false;
    }
  }

  /** Starts a container (pulling the image if needed) and waits until the broker serves. */
  static RabbitContainer start() {
    RabbitMQContainer container = new RabbitMQContainer(
        DockerImageName.parse(System.getProperty("baton.rabbitmq.image", DEFAULT_IMAGE))
            .asCompatibleSubstituteFor("rabbitmq"));
    try {
      container.start();
      return new RabbitContainer(container);
    } catch (RuntimeException e) {
      container.close();
      throw e;
    }
  }

  /** The broker's AMQP URI, credentials included (guest/guest, on a mapped port). */
  String uri() {
    return "amqp://" + container.getAdminUsername() + ":" + container.getAdminPassword() + "@"
        + container.getHost() + ":" + container.getAmqpPort();
  }

  String image() {
    return container.getDockerImageName();
  }

  @Override
  public void close() {
    container.close();
  }
}
