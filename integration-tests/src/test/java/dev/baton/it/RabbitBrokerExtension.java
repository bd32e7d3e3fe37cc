package dev.baton.it;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link RabbitBroker} parameters of test methods, constructors and lifecycle methods.
 * The first resolution in a test JVM picks the broker ({@link RabbitBroker#choose}:
 * {@code BATON_AMQP_URI}, else 127.0.0.1:5672, else a Testcontainers container when a Docker
 * engine answers) and checks that it answers, within about 2 s when there is nothing to start;
 * when none does, that test and every later one fail at once with a message naming what to
 * start. A container, if one was started, is stopped when the JUnit run ends.
 */
public final class RabbitBrokerExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RabbitBrokerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RabbitBroker.class;
  }

  @Override
  public RabbitBroker resolveParameter(ParameterContext parameter, ExtensionContext context) {
    // the root store lives as long as the JUnit run and closes AutoCloseable values at its end
    Probe probe = context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(Probe.class, key -> Probe.run(), Probe.class);
    if (probe.failure != null) {
      throw new ParameterResolutionException(probe.failure.getMessage(), probe.failure.getCause());
    }
    return probe.broker;
  }

  /** One decision per test JVM, remembered either way; owns the container if it started one. */
  static final class Probe implements AutoCloseable {
    private static final AtomicInteger DOCKER_CHECKS = new AtomicInteger();

    final RabbitBroker.Source source;
    final RabbitBroker broker;
    final IllegalStateException failure;
    private final AutoCloseable container;

    private Probe(RabbitBroker.Source source, RabbitBroker broker, IllegalStateException failure,
        AutoCloseable container) {
      this.source = source;
      this.broker = broker;
      this.failure = failure;
      this.container = container;
    }

    static Probe run() {
      // RabbitContainer (and with it Testcontainers) is loaded only if the decision gets that far
      return run(System.getenv(RabbitBroker.ENV), new RabbitBroker(RabbitBroker.DEFAULT_URI),
          Probe::dockerAvailable);
    }

    /**
     * The decision with its inputs given: the environment's URI, the local broker to probe
     * (normally {@value RabbitBroker#DEFAULT_URI}) and the Docker check.
     */
    static Probe run(String envUri, RabbitBroker local, BooleanSupplier docker) {
      Exception[] localFailure = new Exception[1];
      RabbitBroker.Source source = RabbitBroker.choose(
          envUri, () -> (localFailure[0] = local.connectOnce()) == null, docker);
      switch (source) {
        case ENVIRONMENT: {
          RabbitBroker broker = new RabbitBroker(envUri.trim());
          try {
            broker.checkReachable("Start the broker " + RabbitBroker.ENV + " points at, or unset "
                + RabbitBroker.ENV + " to use one on 127.0.0.1:5672 or a Docker engine for"
                + " Testcontainers.");
            return new Probe(source, broker, null, null);
          } catch (IllegalStateException e) {
            return new Probe(source, broker, e, null);
          }
        }
        case LOCAL:
          return new Probe(source, local, null, null);
        case TESTCONTAINERS:
          return startContainer(local, localFailure[0]);
        default:
          return new Probe(source, null,
              new IllegalStateException(RabbitBroker.noBrokerMessage(local, localFailure[0]),
                  localFailure[0]),
              null);
      }
    }

    /** How many times this JVM asked whether Docker is there: none, on the usual path. */
    static int dockerChecks() {
      return DOCKER_CHECKS.get();
    }

    private static boolean dockerAvailable() {
      DOCKER_CHECKS.incrementAndGet();
      try {
        return RabbitContainer.dockerAvailable();
      } catch (LinkageError e) { // Testcontainers not on the classpath: no container then
        return false;
      }
    }

    private static Probe startContainer(RabbitBroker local, Exception localFailure) {
      long started = System.nanoTime();
      RabbitContainer container;
      try {
        container = RabbitContainer.start();
      } catch (RuntimeException e) {
        IllegalStateException failure = new IllegalStateException("No RabbitMQ broker answers at "
            + local.redacted() + " (" + localFailure + ") and "
            + RabbitBroker.ENV + " is not set; a Docker engine answers, but the Testcontainers"
            + " RabbitMQ container did not start (" + e + "). Start a local one with"
            + " `rabbitmq-server -detached`, or set " + RabbitBroker.ENV
            + " to the URI of a running broker.", e);
        return new Probe(RabbitBroker.Source.TESTCONTAINERS, null, failure, null);
      }
      RabbitBroker broker = new RabbitBroker(container.uri());
      System.out.printf("[baton-it] RabbitMQ container %s at %s started in %d ms%n",
          container.image(), broker.redacted(), (System.nanoTime() - started) / 1_000_000);
      try {
        broker.checkReachable("The container " + container.image() + " started but does not"
            + " accept connections.");
        return new Probe(RabbitBroker.Source.TESTCONTAINERS, broker, null, container);
      } catch (IllegalStateException e) {
        container.close();
        return new Probe(RabbitBroker.Source.TESTCONTAINERS, broker, e, null);
      }
    }

    /** Stops the container, if this probe started one. */
    @Override
    public void close() throws Exception {
      if (container != null) {
        container.close();
      }
    }
  }
}
