package dev.baton.it;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link RabbitBroker} parameters of test methods, constructors and lifecycle methods.
 * The first resolution in a test JVM checks, within about 2 s, that the broker answers; when it
 * does not, that test and every later one fail at once with a message naming what to start.
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
    Probe probe = context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(Probe.class, key -> Probe.run(), Probe.class);
    if (probe.failure != null) {
      throw new ParameterResolutionException(probe.failure.getMessage(), probe.failure.getCause());
    }
    return probe.broker;
  }

  /** One reachability check per test JVM, remembered either way. */
  private static final class Probe {
    final RabbitBroker broker;
    final IllegalStateException failure;

    private Probe(RabbitBroker broker, IllegalStateException failure) {
      this.broker = broker;
      this.failure = failure;
    }

    static Probe run() {
      RabbitBroker broker = RabbitBroker.fromEnvironment();
      try {
        broker.checkReachable();
        return new Probe(broker, null);
      } catch (IllegalStateException e) {
        return new Probe(broker, e);
      }
    }
  }
}
